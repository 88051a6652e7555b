"""XLSForm questionnaires for Chiiki surveys, without Django.

Read an XLSForm (``.xlsx``, legacy ``.xls``, or the markdown/CSV tables pyxform's tests use) into a typed
:class:`Form`, check it statically (references, expression syntax, circular calculations, duplicate names,
unsupported features), store it as JSON, and evaluate answers against it on the server: calculations,
relevance, required and constraint errors per field, with messages in plain Japanese.

Typical use::

    result = check_form("census.xlsx")          # never raises for bad input
    form = load_form("census.xlsx")             # raises FormRejected listing every problem
    evaluation = evaluate_answers(form, answers, today=date(2025, 10, 1))
    evaluation.errors_on_page("members")
"""

from chiiki.surveys.xlsform._attachments import (
    CHOICE_FILE_ENDINGS,
    MAX_FILE_BYTES,
    FileError,
    add_files,
    instance_columns,
    read_items,
)
from chiiki.surveys.xlsform._checks import check_form_model, dependency_cycles
from chiiki.surveys.xlsform._client import CLIENT_FUNCTIONS, client_conditions, server_today
from chiiki.surveys.xlsform._expressions import (
    MAX_NESTING,
    EvaluationError,
    ExpressionError,
    NodeSet,
    SimpleContext,
    Value,
    evaluate,
    parse_expression,
    references,
    to_boolean,
    to_number,
    to_string,
)
from chiiki.surveys.xlsform._loader import CheckResult, check_form, load_form
from chiiki.surveys.xlsform._model import (
    MEDIA_KINDS,
    RANK_UNSURE,
    Choice,
    ChoiceList,
    Field,
    Form,
    Node,
    Page,
    Section,
    pick_text,
)
from chiiki.surveys.xlsform._problems import FormRejected, Problem
from chiiki.surveys.xlsform._runtime import REFUSED_UPLOAD, Evaluation, FieldState, evaluate_answers

__all__ = [
    "CHOICE_FILE_ENDINGS",
    "CLIENT_FUNCTIONS",
    "MAX_FILE_BYTES",
    "MAX_NESTING",
    "MEDIA_KINDS",
    "RANK_UNSURE",
    "REFUSED_UPLOAD",
    "CheckResult",
    "Choice",
    "ChoiceList",
    "Evaluation",
    "EvaluationError",
    "ExpressionError",
    "Field",
    "FieldState",
    "FileError",
    "Form",
    "FormRejected",
    "Node",
    "NodeSet",
    "Page",
    "Problem",
    "Section",
    "SimpleContext",
    "Value",
    "add_files",
    "check_form",
    "check_form_model",
    "client_conditions",
    "dependency_cycles",
    "evaluate",
    "evaluate_answers",
    "instance_columns",
    "load_form",
    "parse_expression",
    "pick_text",
    "read_items",
    "references",
    "server_today",
    "to_boolean",
    "to_number",
    "to_string",
]
