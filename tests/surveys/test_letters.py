"""Request letters: one A4 PDF per batch with ID, key, URL and QR code; the `chiiki survey letters` command."""

from __future__ import annotations

import base64
import importlib.metadata
import io
import re
import shutil
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.surveys import actions
from chiiki.surveys.contact import credentials, letters
from chiiki.surveys.contact.letters import (
    FontMissing,
    Letter,
    LetterContent,
    _draw_qr,
    _QrMasks,
    answer_url,
    font_path,
    format_login_id,
    write_letters_pdf,
)
from chiiki.surveys.models import CaseEvent, Survey, SurveyCase

from .answering_setup import sampled_census

CONTENT = LetterContent(
    sender="緑川市役所 統計係",
    survey_title="令和7年 緑川市生活実態調査",
    url="https://chiiki.example.jp/answer/",
    deadline=date(2025, 10, 20),
    helpdesk="調査コールセンター 0120-000-000",
    issued_on=date(2025, 9, 19),
)
LETTER = Letter("123456789012", "ACEFHK34", "7300011", "広島県広島市中区基町10番52号", "山田 太郎")


def page_streams(pdf: bytes) -> str:
    """The decompressed content streams of a reportlab PDF, as Latin-1 text."""
    texts = []
    for match in re.finditer(rb"\nstream\r?\n(.*?)\s*endstream", pdf, re.DOTALL):
        data = match.group(1).strip()
        if data.endswith(b"~>"):  # reportlab wraps compressed streams in ASCII85
            data = base64.a85decode(data.removesuffix(b"~>"))
        try:
            texts.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            texts.append(data.decode("latin-1"))
    return "\n".join(texts)


def render(letters: list[Letter], *, large_print: bool = False) -> bytes:
    stream = io.BytesIO()
    write_letters_pdf(letters, stream, CONTENT, large_print=large_print)
    return stream.getvalue()


def test_each_letter_is_one_a4_page_of_a_single_pdf() -> None:
    pdf = render([LETTER, Letter("234567890123", "TWXY3467", "", "緑川市本町1-1")])
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 2
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf


def test_a_letter_shows_the_grouped_login_id_key_and_url() -> None:
    text = page_streams(render([LETTER]))
    assert "(1234 5678 9012) Tj" in text
    assert "(ACEF-HK34) Tj" in text
    assert "(https://chiiki.example.jp/answer/) Tj" in text


def test_the_font_file_is_embedded_and_no_standard_font_is_named() -> None:
    pdf = render([LETTER])
    assert b"/FontFile2" in pdf  # an embedded TrueType program
    assert b"+IPAexGothic" in pdf  # a subset (six-letter tag + name)
    for name in (b"Helvetica", b"Courier", b"Times", b"Heisei"):
        assert name not in pdf


requires_poppler = pytest.mark.skipif(
    shutil.which("pdffonts") is None or shutil.which("pdftotext") is None,
    reason="pdffonts/pdftotext (poppler-utils) are not installed; .ci/run installs them",
)


@requires_poppler
@pytest.mark.parametrize("large_print", [False, True])
def test_pdffonts_lists_only_embedded_fonts(tmp_path: Path, large_print: bool) -> None:
    source = tmp_path / "letters.pdf"
    source.write_bytes(
        render([LETTER, Letter("234567890123", "TWXY3467", "", "緑川市本町1-1")], large_print=large_print)
    )
    listing = subprocess.run(["pdffonts", str(source)], check=True, capture_output=True, text=True).stdout
    header, _rule, *rows = listing.splitlines()
    emb = header.index(" emb ") + 1  # columns are fixed-width: read "emb" under its heading
    assert rows
    assert [row[emb : emb + 3] for row in rows] == ["yes"] * len(rows), listing
    assert all("IPAexGothic" in row for row in rows)


def pdf_text(pdf: bytes, folder: Path) -> str:
    """The text layer as pdftotext extracts it (what search, copy and screen readers get)."""
    source = folder / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(source), "-"], check=True, capture_output=True, text=True).stdout


@requires_poppler
@pytest.mark.parametrize("large_print", [False, True])
def test_the_text_layer_holds_the_japanese_wording_id_and_key(tmp_path: Path, large_print: bool) -> None:
    text = pdf_text(render([LETTER], large_print=large_print), tmp_path)
    assert "令和7年 緑川市生活実態調査への回答のお願い" in text
    assert "広島県広島市中区基町10番52号" in text
    assert "山田 太郎 様" in text
    assert "1234 5678 9012" in text
    assert "ACEF-HK34" in text
    assert "https://chiiki.example.jp/answer/" in text
    assert "調査コールセンター 0120-000-000" in text
    assert "回答期限 2025年10月20日(月)" in " ".join(text.split())


def test_a_missing_font_package_is_a_clear_error_before_anything_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_installed(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(letters.importlib.metadata, "distribution", not_installed)
    stream = io.BytesIO()
    with pytest.raises(FontMissing, match="pip install matplotlib-fontja"):
        write_letters_pdf([LETTER], stream, CONTENT)
    assert stream.getvalue() == b""
    assert issubclass(FontMissing, OSError)  # the command's clean-up after failed writes applies


def test_the_font_is_found_in_the_installed_package_without_importing_it() -> None:
    # A fresh interpreter: whether the package (and matplotlib, which it imports) got imported shows there.
    script = (
        "import io, sys; from datetime import date; from chiiki.surveys.contact import letters;"
        "content = letters.LetterContent('市', '調査', 'https://x.example/', date(2025, 10, 20), '窓口');"
        "letters.write_letters_pdf([letters.Letter('123456789012', 'ACEFHK34', '', '町')], io.BytesIO(), content);"
        "print('matplotlib_fontja' in sys.modules, 'matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    assert result.stdout.split() == ["False", "False"]
    path = font_path()
    assert path.name == "ipaexg.ttf"
    assert path.read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType outline font
    assert (path.parent / "IPA_Font_License_Agreement_v1.0.txt").is_file()


def test_the_qr_code_url_carries_the_login_id_but_never_the_key() -> None:
    url = answer_url("https://chiiki.example.jp/answer/?lang=ja", "123456789012")
    assert url == "https://chiiki.example.jp/answer/?lang=ja&id=123456789012"
    assert "ACEF" not in answer_url(CONTENT.url, LETTER.login_id)


def test_large_print_sets_the_credentials_in_larger_type() -> None:
    normal = page_streams(render([LETTER]))
    large = page_streams(render([LETTER], large_print=True))
    sizes = {float(size) for size in re.findall(r"/F[\d+]+ ([\d.]+) Tf", normal)}
    large_sizes = {float(size) for size in re.findall(r"/F[\d+]+ ([\d.]+) Tf", large)}
    assert sizes
    assert max(large_sizes) > max(sizes) * 1.3
    assert min(large_sizes) > min(sizes) * 1.3


def test_an_empty_batch_writes_nothing() -> None:
    stream = io.BytesIO()
    assert write_letters_pdf([], stream, CONTENT) == 0
    assert stream.getvalue() == b""


def test_login_ids_are_printed_in_groups_of_four() -> None:
    assert format_login_id("123456789012") == "1234 5678 9012"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_a_letter_renders_to_an_image(tmp_path: Path) -> None:
    source = tmp_path / "letter.pdf"
    source.write_bytes(render([LETTER], large_print=True))
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(source), str(tmp_path / "page")], check=True)
    image = tmp_path / "page-1.png"
    assert image.read_bytes().startswith(b"\x89PNG")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_drawn_qr_code_matches_its_matrix_module_by_module(tmp_path: Path) -> None:
    from PIL import Image
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    matrix = _QrMasks().matrix(answer_url(CONTENT.url, LETTER.login_id))
    size = 60 * mm
    source = tmp_path / "qr.pdf"
    canvas = Canvas(str(source), pagesize=(size, size))
    _draw_qr(canvas, matrix, 0, 0, size)
    canvas.save()
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(source), str(tmp_path / "qr")], check=True)
    image = Image.open(tmp_path / "qr-1.png").convert("L")
    cell = image.width / len(matrix)
    drawn = [
        [
            image.getpixel((int((col + 0.5) * cell), int((row + 0.5) * cell))) < 128
            for col in range(len(matrix))
        ]
        for row in range(len(matrix))
    ]
    assert drawn == matrix


def test_a_batch_reuses_the_first_letters_mask_and_the_codes_stay_valid() -> None:
    import qrcode

    masks = _QrMasks()
    first = masks.matrix(answer_url(CONTENT.url, "123456789012"))
    second = masks.matrix(answer_url(CONTENT.url, "234567890123"))
    reference = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=masks.mask
    )
    reference.add_data(answer_url(CONTENT.url, "234567890123"))
    reference.make(fit=True)
    assert second == reference.get_matrix()
    assert first != second


# ---------------------------------------------------------------------------------------------- the command


@pytest.fixture
def survey(town_a: Municipality) -> Survey:
    return sampled_census(town_a)


def test_the_command_issues_keys_and_writes_the_pdf_and_csv(survey: Survey, tmp_path: Path) -> None:
    out, csv_out = tmp_path / "letters.pdf", tmp_path / "letters.csv"
    call_command("survey_letters", survey=str(survey.pk), out=out, csv=csv_out, stdout=io.StringIO())
    cases = survey.cases.count()
    pdf = out.read_bytes()
    assert len(re.findall(rb"/Type /Page\b", pdf)) == cases
    assert not survey.cases.filter(access_key_hash="").exists()
    rows = csv_out.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == cases + 1
    login_id, key = rows[1].split(",")[:2]
    text = page_streams(pdf)
    assert f"({format_login_id(login_id)}) Tj" in text
    assert f"({key}) Tj" in text
    case = SurveyCase.objects.get(login_id=login_id)
    assert credentials.verify_access_key(case, key)
    assert AuditEvent.objects.filter(action="surveys.letters_write", object_id=str(survey.pk)).exists()


@requires_poppler
def test_the_command_prints_the_last_day_before_closing(survey: Survey, tmp_path: Path) -> None:
    out = tmp_path / "letters.pdf"
    call_command("survey_letters", survey=str(survey.pk), out=out, stdout=io.StringIO())
    text = " ".join(pdf_text(out.read_bytes(), tmp_path).split())
    # Closing at 21 Oct 00:00 JST makes the 20th the last day.
    assert "回答期限 2025年10月20日(月)" in text
    assert "10月21日" not in text


def test_the_command_addresses_letters_to_the_head_of_household(survey: Survey, tmp_path: Path) -> None:
    from chiiki.surveys.queries import head_names

    names = head_names(survey)
    assert names
    assert all(" " in name for name in names.values())
    assert set(names) <= set(survey.cases.values_list("id", flat=True))


def test_without_reissue_households_with_keys_get_no_new_letter(survey: Survey, tmp_path: Path) -> None:
    call_command("survey_letters", survey=str(survey.pk), out=tmp_path / "a.pdf", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--reissue"):
        call_command("survey_letters", survey=str(survey.pk), out=tmp_path / "b.pdf", stdout=io.StringIO())
    assert not (tmp_path / "b.pdf").exists()
    call_command(
        "survey_letters",
        survey=str(survey.pk),
        out=tmp_path / "c.pdf",
        reissue=True,
        large_print=True,
        stdout=io.StringIO(),
    )
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")


def test_an_existing_file_is_never_overwritten_and_no_key_is_issued(survey: Survey, tmp_path: Path) -> None:
    out = tmp_path / "letters.pdf"
    out.write_bytes(b"earlier letters")
    with pytest.raises(CommandError, match="既にあります"):
        call_command("survey_letters", survey=str(survey.pk), out=out, stdout=io.StringIO())
    assert out.read_bytes() == b"earlier letters"
    assert not survey.cases.exclude(access_key_hash="").exists()


def test_a_csv_that_exists_rolls_back_the_keys_and_removes_the_pdf(survey: Survey, tmp_path: Path) -> None:
    out, csv_out = tmp_path / "letters.pdf", tmp_path / "letters.csv"
    csv_out.write_text("x")
    with pytest.raises(CommandError):
        call_command("survey_letters", survey=str(survey.pk), out=out, csv=csv_out, stdout=io.StringIO())
    assert not out.exists()
    assert not survey.cases.exclude(access_key_hash="").exists()


def test_without_the_font_package_the_command_fails_clearly_and_issues_nothing(
    survey: Survey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_installed(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(letters.importlib.metadata, "distribution", not_installed)
    out = tmp_path / "letters.pdf"
    with pytest.raises(CommandError, match="matplotlib-fontja") as raised:
        call_command("survey_letters", survey=str(survey.pk), out=out, stdout=io.StringIO())
    assert "書き込めません" not in str(raised.value)  # the font is missing; the output file is not at fault
    assert not out.exists()
    assert not survey.cases.exclude(access_key_hash="").exists()


def test_an_unknown_survey_is_a_clear_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("survey_letters", survey="999999", out=tmp_path / "x.pdf", stdout=io.StringIO())
    with pytest.raises(CommandError, match="数字"):
        call_command("survey_letters", survey="abc", out=tmp_path / "x.pdf", stdout=io.StringIO())
    assert not (tmp_path / "x.pdf").exists()


def test_a_large_print_run_is_split_into_numbered_batches(survey: Survey, tmp_path: Path) -> None:
    out = tmp_path / "letters.pdf"
    stdout = io.StringIO()
    call_command("survey_letters", survey=str(survey.pk), out=out, batch_size=5, stdout=stdout)
    cases = survey.cases.count()
    batches = sorted(tmp_path.glob("letters-*.pdf"))
    assert not out.exists()
    assert [path.name for path in batches][:2] == ["letters-001.pdf", "letters-002.pdf"]
    pages = [len(re.findall(rb"/Type /Page\b", path.read_bytes())) for path in batches]
    assert sum(pages) == cases
    assert all(count == 5 for count in pages[:-1])
    assert "ファイル" in stdout.getvalue()
    with pytest.raises(CommandError, match="batch-size"):
        call_command("survey_letters", survey=str(survey.pk), out=tmp_path / "x.pdf", batch_size=0)


def test_the_letters_action_is_the_whole_workflow_for_a_page_as_for_the_command(
    survey: Survey, tmp_path: Path
) -> None:
    request = actions.LetterRequest(out=tmp_path / "letters.pdf", csv_out=tmp_path / "letters.csv")
    written = actions.send_request_letters(survey, request, by=Actor.system("test page"))
    cases = survey.cases.count()
    assert (written.letters, written.pdfs, written.csv) == (
        cases,
        [tmp_path / "letters.pdf"],
        request.csv_out,
    )
    assert len(re.findall(rb"/Type /Page\b", (tmp_path / "letters.pdf").read_bytes())) == cases
    assert not survey.cases.filter(access_key_hash="").exists()
    event = AuditEvent.objects.get(action="surveys.letters_write")
    assert (event.actor_label, event.detail["letters"], event.detail["csv"]) == ("test page", cases, True)
    assert CaseEvent.objects.filter(survey=survey, kind="letter_sent", channel="post").count() == cases
    # Every case has a key now: nothing is issued, and no file is left behind.
    again = actions.send_request_letters(
        survey, actions.LetterRequest(out=tmp_path / "again.pdf"), by=Actor.system("test page")
    )
    assert again.letters == 0
    assert not (tmp_path / "again.pdf").exists()


def test_staff_without_the_survey_role_get_no_letters_and_no_file(
    survey: Survey, tmp_path: Path, make_staff: Callable[..., User]
) -> None:
    helper = make_staff("helper", survey.municipality, Role.HELPDESK)
    with pytest.raises(PermissionDenied):
        actions.send_request_letters(
            survey, actions.LetterRequest(out=tmp_path / "letters.pdf"), by=Actor.for_user(helper)
        )
    assert not (tmp_path / "letters.pdf").exists()
    assert not survey.cases.exclude(access_key_hash="").exists()


@requires_poppler
def test_the_letter_and_the_sign_in_page_call_the_id_by_one_name(
    tmp_path: Path, client: Client, db: None
) -> None:
    """Residents stumbled on "ログインID" on the letter and "調査対象者ID" on the page: one name everywhere."""
    text = " ".join(pdf_text(render([LETTER]), tmp_path).split())
    page = client.get("/answer/").content.decode()
    assert "調査対象者ID" in text
    assert "調査対象者ID" in page
    assert "ログインID" not in text
    assert "ログインID" not in page
