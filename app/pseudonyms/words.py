"""Words that are not names: what detection leaves alone or trims off."""

# Roles, titles and kin: an entity made only of these is not a name, and a person's name
# loses them at its start ("Mum Zoë" -> "Zoë", "Social Worker Siobhán" -> "Siobhán").
ROLE_WORDS = frozenset("""
    chair chairperson convenor minute minutes taker social work worker workers sw yp cyp
    young person people child children kid kids youth police officer officers pc ds di dc
    sergeant inspector constable detective manager managers team lead leader head
    headteacher teacher teachers pupil pupils student students nurse doctor gp health
    practitioner practitioners professional professionals staff member members panel
    mum mam mom mother dad father parent parents carer carers foster guardian gran granny
    nan grandma grandad grandparent brother sister sibling aunt auntie uncle cousin family
    boyfriend girlfriend friend friends researcher interviewer interviewee participant
    facilitator observer notetaker note-taker moderator host speaker unknown
    mr mrs ms miss mx dr prof sir the
""".split())
# Not names on their own either, but part of real names at the start ("May Smith").
OTHER_WORDS = frozenset("""
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday christmas easter
    zoom teams microsoft whatsapp snapchat instagram tiktok facebook youtube google
    nhs camhs england scotland wales ireland northern uk britain great united kingdom
    europe a an of and for
""".split())
NOT_NAMES = ROLE_WORDS | OTHER_WORDS
# Words that make a place or organisation generic ("Youth Centre", "the Council").
GENERIC = frozenset("""
    centre center hub project office house hall station hospital clinic academy high
    primary secondary school college university street road club trust charity
    foundation association service services unit department council authority agency
    board partnership group court city town village estate park
""".split())
LEADING = ROLE_WORDS
PARTICLES = frozenset("de da di del der den van von le la ó o mac mc ní nic ua bin al el".split())
