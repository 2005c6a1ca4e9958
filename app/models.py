"""Every domain's tables, imported in one place so metadata is complete (Alembic, tests)."""

from app.accounts.models import ApiToken, User
from app.audit.models import AuditEvent
from app.codebook.models import Code, CodebookVersion
from app.coding.models import Coding
from app.db import Base
from app.documents.models import Document, Speaker, Turn
from app.jobs.models import Job
from app.memos.models import Memo
from app.pseudonyms.models import PseudonymEntry
from app.retrieval.models import SavedQuery
from app.suggestions.models import Suggestion, SuggestionState
from app.projects.models import Membership, Project, Site

__all__ = ["ApiToken", "AuditEvent", "Base", "Code", "CodebookVersion", "Coding", "Document",
           "Job", "Memo", "Membership", "Project", "PseudonymEntry", "SavedQuery", "Site", "Speaker",
           "Suggestion", "SuggestionState", "Turn", "User"]
