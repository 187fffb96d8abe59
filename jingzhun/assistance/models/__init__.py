"""The assistance module's records, one module per area, re-exported here for Django and callers."""

from .loans import Loan, LoanInstallment
from .measures import Measure, MeasureEvidence
from .people import CadreAssignment, HelpUnit, ResponsibilityLetter, WorkTeam, WorkTeamMember
from .projects import Project, ProjectEvent, ProjectFund, ProjectSpending
from .visits import EditConflict, Visit, VisitPhoto

__all__ = [
    "CadreAssignment", "EditConflict", "HelpUnit", "Loan", "LoanInstallment", "Measure", "MeasureEvidence",
    "Project", "ProjectEvent", "ProjectFund", "ProjectSpending", "ResponsibilityLetter", "Visit", "VisitPhoto",
    "WorkTeam", "WorkTeamMember",
]
