"""Every change the surveys app makes, one module per part of a survey round; import them from here.

Each action takes `by: Actor` (who acts, and from where), runs in one transaction and writes its audit record.
Staff must hold the permission named in the action (usually "surveys.manage") in the survey's municipality;
commands and tasks act as `Actor.system(...)`.

- `surveys`: questionnaires, survey rounds, drawing the sample, the answering period
- `attachments`: files the questionnaire reads, attached after the form was uploaded
- `credentials`: access keys for the letters
- `letters`: issuing keys and writing the request letters (PDF, the contractor's CSV) in one step
- `answering`: respondents signing in, pages saved and answers submitted (web, assisted, enumerator)
- `notifications`: messages to households through the notifier, and the outbox's delivery bookkeeping
- `paradata`: events of a case (letters, logins, pages, submissions, reminders, visits)
- `exports`: asking for an export of the answers, writing one
"""

from chiiki.surveys.actions.answering import (
    open_assisted_case,
    refuse_sign_in,
    save_page,
    set_respondent_password,
    sign_in_respondent,
    sign_out_respondent,
    submit_answers,
)
from chiiki.surveys.actions.attachments import FilesAttached, attach_questionnaire_files
from chiiki.surveys.actions.checks import SurveyError, is_command, require_files_attached, require_permission
from chiiki.surveys.actions.credentials import issue_access_keys, issue_access_keys_to
from chiiki.surveys.actions.exports import EXPORT_FORMATS, export_survey, record_export_file, request_export
from chiiki.surveys.actions.letters import (
    LetterRequest,
    LettersWritten,
    ReissuedLetter,
    issue_keys_to_csv,
    record_letters_file,
    reissue_one_key,
    request_letters,
    send_request_letters,
)
from chiiki.surveys.actions.notifications import (
    OutboxMessage,
    claim_notification,
    queue_messages,
    queue_notifications,
    record_delivery,
    record_delivery_failure,
)
from chiiki.surveys.actions.paradata import (
    record_case_event,
    record_letters_sent,
    record_reminders_sent,
)
from chiiki.surveys.actions.surveys import (
    NewSurvey,
    SampleSummary,
    SurveyRound,
    create_survey,
    create_survey_round,
    draw_sample,
    extend_answering,
    import_questionnaire,
)

__all__ = [
    "EXPORT_FORMATS",
    "FilesAttached",
    "LetterRequest",
    "LettersWritten",
    "NewSurvey",
    "OutboxMessage",
    "ReissuedLetter",
    "SampleSummary",
    "SurveyError",
    "SurveyRound",
    "attach_questionnaire_files",
    "claim_notification",
    "create_survey",
    "create_survey_round",
    "draw_sample",
    "export_survey",
    "extend_answering",
    "import_questionnaire",
    "is_command",
    "issue_access_keys",
    "issue_access_keys_to",
    "issue_keys_to_csv",
    "open_assisted_case",
    "queue_messages",
    "queue_notifications",
    "record_case_event",
    "record_delivery",
    "record_delivery_failure",
    "record_export_file",
    "record_letters_file",
    "record_letters_sent",
    "record_reminders_sent",
    "refuse_sign_in",
    "reissue_one_key",
    "request_export",
    "request_letters",
    "require_files_attached",
    "require_permission",
    "save_page",
    "send_request_letters",
    "set_respondent_password",
    "sign_in_respondent",
    "sign_out_respondent",
    "submit_answers",
]
