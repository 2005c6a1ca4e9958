"""Regenerate the demo study's .docx and .odt files from the text held here.

    .venv/bin/python app/demo/content/make_binaries.py

Imports only python-docx, odfpy and the standard library. The .rtf is written by
hand and the .pdf was generated once with reportlab (a dev tool) and is kept as is;
neither is produced here. All content is fictional, written for the Fieldbench demo.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.shared import Pt
from odf.dc import Creator
from odf.opendocument import OpenDocumentText
from odf.style import Style, TextProperties
from odf.text import H, P, Span

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2022, 12, 31, 12, 0, 0)

# --------------------------------------------------------------------------
# Harbourside: case file extract (.docx)
# --------------------------------------------------------------------------

HARBOURSIDE_SUMMARY = [
    ("Referral source", "Harbourside Academy (school)"),
    ("Presenting concern", "Suspected criminal exploitation; missing from education"),
    ("Screening tool scores", "14 (March 2021), 17 (May 2021), 11 (December 2021)"),
    ("RAG history", "Amber, then Red, then Amber"),
    ("Allocated workers", "Four in eleven months, including one agency worker"),
    ("Plan", "Child in Need (section 17); reviewed at the Extra-Familial Harm Panel"),
    ("Locations of concern", "Marsh Road rec; the precinct; the chicken shop on Dock Street"),
]

HARBOURSIDE_CHRONOLOGY = [
    ("03/03/2021", "Referral received from school. YP missing from education six days in "
     "February. Previous referral (November 2020) closed by Early Help as threshold not met."),
    ("10/03/2021", "Screening tool completed by duty social worker. Score 14, RAG amber. "
     "Allocated to SW A. Rahman."),
    ("12/05/2021", "Reviewed at EFH Panel. Rescored 17, RAG red. Added to weekly list. Mentoring "
     "referral to continue. Action on SW to chase education, who did not attend."),
    ("28/06/2021", "Home visit. J not present. Mother advised that she must keep J at home after "
     "7pm and report him missing if he is not in. Mother tearful; said \"I can't sit on him, "
     "he's taller than me.\""),
    ("19/07/2021", "Management oversight. Case discussed. Line of sight maintained. Plan remains "
     "appropriate. Tracker updated."),
    ("02/08/2021", "SW A. Rahman has left the authority. Case held by team manager pending "
     "reallocation. No visit recorded in August."),
    ("06/09/2021", "Allocated to agency social worker. Handover by case note."),
    ("14/09/2021", "Visit. J said he \"doesn't see the point\" of meeting \"another new one\". "
     "YP not engaging with plan."),
    ("20/10/2021", "It was agreed at panel that the referral to the detached youth service be "
     "closed, as the service has no capacity until April."),
    ("11/11/2021", "Agency contract ended. Case reallocated to SW B. Ortiz. Joint handover visit "
     "with outgoing worker not possible."),
    ("01/12/2021", "Visit. J attending college taster days twice a week. Says he likes the bike "
     "workshop and that the tutors \"talk to you normal\". Screening tool repeated: score 11, "
     "RAG amber."),
    ("15/12/2021", "Management oversight. Evidence of impact: score reduced from 17 to 11. "
     "Consider step-down at next review. Line of sight maintained."),
    ("10/01/2022", "Case selected for thematic audit (exploitation) in preparation for Ofsted "
     "inspection. Audit grade: requires improvement. \"Voice of the child not consistently "
     "evidenced. Chronology incomplete for August.\" Action on SW to update the chronology and "
     "evidence the voice of the child by 31/01/2022."),
    ("27/01/2022", "It has been agreed that the case will step down to Early Help. J will be 16 "
     "in March. Does not meet criteria for referral to adult services."),
]

HARBOURSIDE_NOTE = (
    "[RN: read from top to bottom, J appears mostly as a number. The only entry that carries his "
    "own words, about the bike workshop, is also the point where his score falls, yet the "
    "oversight note credits \"score reduced\" rather than the workshop or the tutors. Four workers "
    "in eleven months and a month with no visit at all; the audit finds the gap and hands the "
    "repair to the newest worker. Three decisions are recorded in the passive (\"it was agreed\", "
    "\"it has been agreed\") with no decision-maker named. His mother is told what she must do; no "
    "entry records what any agency will do. Even \"evidence the voice of the child\" has become a "
    "box to tick. Tom Whitlock]"
)


def harbourside_case_file(path: Path) -> None:
    doc = Document()
    doc.core_properties.author = "Tom Whitlock"
    doc.core_properties.title = "Harbourside case record extract: Jordan (pseudonym)"
    doc.core_properties.created = FIXED_TIME
    doc.core_properties.modified = FIXED_TIME
    doc.add_heading("Harbourside Children's Services", level=1)
    doc.add_heading("Case record extract — Contextual Safeguarding assessment and chronology", level=2)
    doc.add_paragraph(
        "Young person \"Jordan\" (pseudonym), aged 15 at referral. Extracted and anonymised for the "
        "research by Tom Whitlock on 15 February 2022, under the site's data-sharing agreement. "
        "Entries are abridged; wording is as recorded except for names.")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for field, value in HARBOURSIDE_SUMMARY:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = field, value
        cells[0].paragraphs[0].runs[0].bold = True
    doc.add_heading("Chronology (selected entries)", level=2)
    for date, entry in HARBOURSIDE_CHRONOLOGY:
        para = doc.add_paragraph()
        para.add_run(date).bold = True
        para.add_run("  " + entry)
    doc.add_heading("Researcher note", level=2)
    note = doc.add_paragraph()
    note.add_run(HARBOURSIDE_NOTE).italic = True
    doc.save(path)


# --------------------------------------------------------------------------
# Ashcombe: interview with a leaving care team manager (.docx)
# --------------------------------------------------------------------------

ASHCOMBE_TURNS = [
    ("Marcus", "Last time we spoke was just after the design group in November. What happened to "
     "the Forum idea?"),
    ("Nadia", "It went to DMT in January and came back \"approved in principle\". Then nothing for "
     "two months. In the end we got a six-month pilot of a transitions worker instead, paid for "
     "with one-off money from an underspend. She started in February and the money ran out in "
     "May. So it was a pilot of a pilot, really."),
    ("Marcus", "And the Complex Risk Forum?"),
    ("Nadia", "There's a line about transitions in its terms of reference now. I've been to two "
     "Forums and neither time did anyone under 21 come up. It exists on paper."),
    ("Marcus", "You mentioned C in November. Can I ask how things went for him?"),
    ("Nadia", "He turned eighteen in December. His PA changed the same week because she went on "
     "maternity leave, so he got a new worker and a new legal status on the same day. Adult "
     "services screened him in January and closed it at triage, no eligible needs. The letter "
     "told him that as an adult he \"is able to make his own decisions about his associations\". "
     "He's sofa-surfing now. He rings me, not his PA, because I'm the one he knows."),
    ("Marcus", "How do you hold that?"),
    ("Nadia", "Badly, some days. I cried in the car after that triage letter. We used to have group "
     "supervision, a proper space once a month with a psychologist. It stopped in Covid and never "
     "came back. Now my supervision is forty minutes of performance data with my head of service."),
    ("Marcus", "What's in the performance data?"),
    ("Nadia", "Pathway plans in timescale, ninety-four per cent. Visits in timescale. Staying-in-touch "
     "KPIs. We're green on every line of the scorecard and C is sleeping on a sofa in a flat the "
     "police have flagged. When Ofsted did the focused visit in March they wrote that leaders have "
     "\"strong oversight\" of care leavers. I sat in the feedback and thought, oversight of what?"),
    ("Marcus", "Where do you think that comes from?"),
    ("Nadia", "Everywhere. Nationally everyone quotes the transitional safeguarding briefing, but "
     "the law still has a cliff edge at eighteen. In the council, adults and children's are two "
     "budgets and two inspection regimes, so each side protects its own numbers. And then it comes "
     "down to me and C on the phone on a Sunday."),
    ("Marcus", "If you think about what the service is for..."),
    ("Nadia", "It's for him. That's the primary task, isn't it? Keep him alive to twenty-five and "
     "help him want something. We've turned the task into the data return, because the data "
     "return is something we can actually get right."),
    ("Marcus", "Would you go back to the panel idea?"),
    ("Nadia", "No. Going back a step was right. But going back should have meant redesigning with "
     "young people, and we never did that bit. Nobody asked C what would have helped at "
     "seventeen. I'd start there."),
]


def ashcombe_interview(path: Path) -> None:
    doc = Document()
    doc.core_properties.author = "Marcus Ellery"
    doc.core_properties.title = "Ashcombe interview: leaving care team manager"
    doc.core_properties.created = FIXED_TIME
    doc.core_properties.modified = FIXED_TIME
    doc.add_heading("Ashcombe County Council — interview with Nadia, Team Manager, Leaving Care", level=1)
    intro = doc.add_paragraph()
    intro.add_run("Transitional Safeguarding strand. Interviewer Marcus Ellery. 9 June 2022, on "
                  "Teams, 61 minutes. Extract from the transcript; the young person is referred "
                  "to only by an initial.").italic = True
    for speaker, text in ASHCOMBE_TURNS:
        para = doc.add_paragraph()
        para.paragraph_format.space_after = Pt(6)
        para.add_run(f"{speaker}: ").bold = True
        para.add_run(text)
    doc.save(path)


# --------------------------------------------------------------------------
# Riverbank: reflective practice group fieldnotes (.odt)
# --------------------------------------------------------------------------

RIVERBANK_BLOCKS = [
    ("title", "The Riverbank Project — monthly reflective practice group"),
    ("italic", "Observation fieldnotes, Trauma-informed Practice strand. Priya Raman. 27 April 2022, "
               "Riverbank's upstairs room, 90 minutes. Observed with the group's consent; I did "
               "not take part."),
    ("p", "Present: Facilitator Ruth (external psychotherapist), Manager Sam, Keyworker Dami, "
          "Keyworker Lou, Therapist Anjali, and Keyworker Tess, in her second week."),
    ("p", "Ruth opened by asking what people were bringing today. A long pause. Lou said she had "
          "stood on the threshold of the room for a full minute deciding whether to come in at "
          "all, and people smiled."),
    ("turn", "Keyworker Dami", "I'll go. Mia went missing on Thursday and came back on Sunday. I "
             "didn't sleep. I kept refreshing my phone all weekend, even though I'm not meant to "
             "have it on."),
    ("turn", "Facilitator Ruth", "What was it like, refreshing the phone?"),
    ("turn", "Keyworker Dami", "Like if I stopped, something would happen and it would be my fault."),
    ("turn", "Therapist Anjali", "And the police logged it as her \"putting herself at risk\". Her "
             "social worker's changed again and the handover was one email. She's had four "
             "workers in a year. We're the only constant, and we lose her at eighteen because "
             "that's where the contract stops."),
    ("turn", "Manager Sam", "The council says adult services will pick her up at 18. They won't. "
             "She won't meet their threshold."),
    ("turn", "Keyworker Dami", "The same week I had to do her Outcomes Star for the commissioner. "
             "I was scoring her on managing risk while she was missing. I typed a three and felt "
             "sick."),
    ("rn", "[RN: the quarterly form arrives in the middle of the crisis. A numeric score attached "
           "to a girl who is missing, completed by the worker who cannot sleep.]"),
    ("turn", "Manager Sam", "Sorry, I know this isn't what the space is for, but the funder report "
             "is due on Friday and I need those stars in."),
    ("turn", "Facilitator Ruth", "What is this space for?"),
    ("turn", "Keyworker Lou", "To stop us taking it home. Or, no. To let us take it home a bit less."),
    ("turn", "Keyworker Tess", "In my last job there wasn't anything like this. You just took it "
             "home and didn't talk about it."),
    ("turn", "Facilitator Ruth", "And what is Riverbank for?"),
    ("turn", "Keyworker Lou", "I keep asking myself. Are we here to keep them safe, or to stay with "
             "them while they're not safe? Because we can't do the first one. Nobody can."),
    ("p", "A silence of perhaps twenty seconds. Anjali said that the second was the trauma-informed "
          "part, and the first was the part the funding is written around."),
    ("turn", "Manager Sam", "I think I have to own that I bring the numbers in here. I'll keep the "
             "stars out of this room."),
    ("rn", "[RN: Sam named it himself rather than Ruth pointing it out. The group seemed able to "
           "hold the anxiety rather than turn it straight into actions; nobody wrote anything down "
           "for the first hour. Compare Harbourside and Linnhe, where no such space exists. Ruth "
           "mostly handed questions back rather than giving advice, and it seemed to matter that "
           "Riverbank does not employ her.]"),
    ("p", "At the close Ruth asked each person for one word. Dami said \"lighter\", Tess "
          "\"relieved\", Lou \"still worried\", and Sam \"exposed\"."),
]


def riverbank_reflective_group(path: Path) -> None:
    doc = OpenDocumentText()
    doc.meta.addElement(Creator(text="Priya Raman"))
    bold = Style(name="Bold", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    italic = Style(name="Italic", family="text")
    italic.addElement(TextProperties(fontstyle="italic"))
    doc.automaticstyles.addElement(bold)
    doc.automaticstyles.addElement(italic)
    for block in RIVERBANK_BLOCKS:
        kind = block[0]
        if kind == "title":
            doc.text.addElement(H(outlinelevel=1, text=block[1]))
        elif kind in ("italic", "rn"):
            para = P()
            para.addElement(Span(stylename=italic, text=block[1]))
            doc.text.addElement(para)
        elif kind == "turn":
            para = P()
            para.addElement(Span(stylename=bold, text=f"{block[1]}: "))
            para.addText(block[2])
            doc.text.addElement(para)
        else:
            doc.text.addElement(P(text=block[1]))
    doc.save(str(path))


if __name__ == "__main__":
    harbourside_case_file(HERE / "harbourside_case_file_jordan_2022-02-15.docx")
    ashcombe_interview(HERE / "ashcombe_interview_team_manager_2022-06-09.docx")
    riverbank_reflective_group(HERE / "riverbank_reflective_group_2022-04-27.odt")
    print("wrote 2 .docx and 1 .odt")
