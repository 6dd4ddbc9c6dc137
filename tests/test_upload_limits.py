import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from partners.validators import validate_import_file_size, validate_upload_size


class PhotoForm(forms.Form):
    photo = forms.FileField(validators=[validate_upload_size])


class ImportForm(forms.Form):
    import_file = forms.FileField(validators=[validate_import_file_size])


def upload(size: int) -> dict:
    return {"photo": SimpleUploadedFile("a.jpg", b"x" * size)}


def test_a_file_within_the_limit_is_accepted(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    assert PhotoForm(files=upload(1024)).is_valid()


def test_a_file_over_the_limit_is_refused_with_both_sizes_in_the_message(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    with translation.override("en"):
        form = PhotoForm(files=upload(2048))
        assert not form.is_valid()
        assert form.errors["photo"] == ["The file is 2.0\xa0KB; files may be at most 1.0\xa0KB."]


def test_import_files_have_their_own_limit(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 10
    settings.PORTAL_MAX_IMPORT_FILE_BYTES = 100
    files = {"import_file": SimpleUploadedFile("p.csv", b"x" * 50)}
    assert ImportForm(files=files).is_valid()
    settings.PORTAL_MAX_IMPORT_FILE_BYTES = 40
    assert not ImportForm(files=files).is_valid()


def test_upload_limits_have_sensible_defaults():
    from django.conf import settings

    assert settings.PORTAL_MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    assert settings.PORTAL_MAX_IMPORT_FILE_BYTES == 5 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 20
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440


@pytest.mark.django_db
def test_a_request_with_too_many_files_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"f{i}": SimpleUploadedFile(f"{i}.txt", b"x") for i in range(3)}
    response = client.post("/admin/login/", files)
    assert response.status_code == 400


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_import_file_with_more_rows_than_the_limit_is_refused_before_importing(
    settings, extension
):
    import io

    import openpyxl

    from partners.resources import ImportFileError, read_dataset

    settings.PORTAL_IMPORT_MAX_ROWS = 3
    rows = [["slug", "name_en"]] + [[f"s{n}", f"City {n}"] for n in range(4)]
    if extension == "csv":
        data = "\n".join(",".join(row) for row in rows).encode()
    else:
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    with translation.override("en"), pytest.raises(ImportFileError, match="more than 3 rows"):
        read_dataset(data, f"p.{extension}")
    # Exactly at the limit is fine.
    settings.PORTAL_IMPORT_MAX_ROWS = 4
    assert len(read_dataset(data, f"p.{extension}")) == 4


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The file is 10,485,761 bytes; files may be at most 10,485,760 bytes."),
        ("ko", "파일 크기가 10,485,761바이트입니다. 파일은 10,485,760바이트까지 올릴 수 있습니다."),
    ],
)
def test_a_file_one_byte_over_the_limit_is_told_in_exact_bytes(settings, language, expected):
    # Rounded, both would read "10.0 MB": the refusal would seem to contradict itself.
    settings.PORTAL_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    with translation.override(language):
        form = PhotoForm(files=upload(10 * 1024 * 1024 + 1))
        assert form.errors["photo"] == [expected]


def test_imports_too_tell_a_size_just_over_their_limit_in_bytes(settings):
    settings.PORTAL_MAX_IMPORT_FILE_BYTES = 5 * 1024 * 1024
    files = {"import_file": SimpleUploadedFile("p.csv", b"x" * (5 * 1024 * 1024 + 1))}
    with translation.override("en"):
        form = ImportForm(files=files)
        assert form.errors["import_file"] == [
            "The file is 5,242,881 bytes; files may be at most 5,242,880 bytes."
        ]
