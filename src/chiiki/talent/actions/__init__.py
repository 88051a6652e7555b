"""Changes to the talent bank, one module per sub-domain. Each runs in one transaction, takes `by: Actor` and
writes its audit record.

Callers check who may see what (chiiki.talent.access); these functions check what must hold whoever calls
them (the organization is verified before it endorses, both sides accepted before contact is shown, …).
Helpers that write as part of an action (`skills.reassess`, `exposure.record_exposure`) are not exported: they
have no audit record of their own and run only inside the action that calls them.
"""

from chiiki.talent.actions._base import TalentActionError
from chiiki.talent.actions.exposure import show_candidates_for_need
from chiiki.talent.actions.introductions import contact_details, request_introduction, respond_introduction
from chiiki.talent.actions.needs import NEED_FIELDS, close_need, post_need
from chiiki.talent.actions.organizations import (
    municipality_organization,
    register_organization,
    verify_organization,
)
from chiiki.talent.actions.profiles import (
    PROFILE_FIELDS,
    create_profile,
    delete_profile,
    export_profile,
    register_talent,
    update_profile,
)
from chiiki.talent.actions.skills import add_evidence, endorse, remove_evidence, set_skills
from chiiki.talent.actions.standards import carry_over, check_definition, differences, install_skill_standard

__all__ = [
    "NEED_FIELDS",
    "PROFILE_FIELDS",
    "TalentActionError",
    "add_evidence",
    "carry_over",
    "check_definition",
    "close_need",
    "contact_details",
    "create_profile",
    "delete_profile",
    "differences",
    "endorse",
    "export_profile",
    "install_skill_standard",
    "municipality_organization",
    "post_need",
    "register_organization",
    "register_talent",
    "remove_evidence",
    "request_introduction",
    "respond_introduction",
    "set_skills",
    "show_candidates_for_need",
    "update_profile",
    "verify_organization",
]
