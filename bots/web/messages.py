"""The workspace's refusals in both languages: the API keeps its one error shape and adds
`messages: {"vi", "en"}`, so the page shows the sentence of the language it is in."""
from __future__ import annotations

import re

from fastapi.responses import JSONResponse

from bots.web.limits import error

VECTORS_UNAVAILABLE = "the document index does not answer at the moment: try again shortly"
DATABASE_UNAVAILABLE = "the database does not answer at the moment: try again shortly"

# English message (as raised by accounts, library, curation and the routes) → its Vietnamese sentence.
# Groups carry names, numbers and file names over; a message matching none keeps its English text after
# a Vietnamese lead-in, so nothing the server said is lost.
_VIETNAMESE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), vi)
    for p, vi in (
        (r"^wrong username or password \(or too many attempts: wait a few minutes\)$",
         "Sai tên đăng nhập hoặc mật khẩu (hoặc đã thử quá nhiều lần: vui lòng đợi vài phút)."),
        (r"^too many sign-in attempts: try again shortly$", "Đăng nhập quá nhiều lần: vui lòng thử lại sau ít phút."),
        (r"^the username must have 1 to 64 characters.*$",
         "Tên đăng nhập có từ 1 đến 64 ký tự: chữ Latin, chữ số, '.', '_' hoặc '-', bắt đầu bằng chữ hoặc số."),
        (r"^the password must not be only spaces$", "Mật khẩu không được chỉ gồm dấu cách."),
        (r"^the current password is wrong$", "Mật khẩu hiện tại không đúng."),
        (r"^no account named (?P<name>.+)$", "Không có tài khoản {name}."),
        (r"^no API token (?P<id>\d+)$", "Không có mã API số {id}."),
        (r"^an API token cannot (create API tokens|change a password): sign in$",
         "Mã API không được dùng cho thao tác này: hãy đăng nhập."),
        (r"^an admin cannot disable their own account$", "Quản trị viên không thể tự vô hiệu hóa tài khoản của mình."),
        (r"^the role must be one of (?P<roles>.+)$", "Vai trò phải là một trong: {roles}."),
        (r"^the password must have at least (?P<n>\d+) characters$", "Mật khẩu phải có ít nhất {n} ký tự."),
        (r"^the username (?P<name>.+) is taken$", "Tên đăng nhập {name} đã có người dùng."),
        (r"^(?P<file>.+): (?P<size>[\d.]+) MB is over the (?P<limit>[\d.]+) MB limit$",
         "{file}: tệp {size} MB vượt giới hạn {limit} MB."),
        (r"^(?P<doc>.+): its file (?P<path>.+) is no longer on disk; upload it again$",
         "{doc}: tệp {path} không còn trên máy chủ; hãy tải lên lại."),
        (r"^status must be one of (?P<statuses>.+), not (?P<value>.+)$",
         "Hiệu lực phải là một trong: {statuses} (không phải {value})."),
        (r"^no indexed document with doc_id (?P<doc>.+)$", "Không có văn bản mã {doc} trong chỉ mục."),
        (r"^sources: link at least one source document$", "Nguồn: cần liên kết ít nhất một văn bản."),
        (r"^sources: no indexed document with doc_id (?P<doc>.+)$", "Nguồn: không có văn bản mã {doc} trong chỉ mục."),
        (r"^(?P<field>question_vi|question_en|answer_vi|answer_en): must not be empty$", "{field}: không được để trống."),
        (r"^no curated answer (?P<id>\d+)$", "Không có câu trả lời soạn sẵn số {id}."),
        (r"^no table (?P<table>\S+) \(tables: (?P<tables>.+)\)$", "Không có bảng {table} (các bảng: {tables})."),
        (r"^missing or wrong CSRF token.*$", "Phiên làm việc đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang."),
        (r"^this needs an admin account$", "Thao tác này cần tài khoản quản trị."),
        (r"^the document index does not answer at the moment: try again shortly$",
         "Kho văn bản tạm thời không phản hồi: vui lòng thử lại sau ít phút."),
        (r"^the database does not answer at the moment: try again shortly$",
         "Cơ sở dữ liệu tạm thời không phản hồi: vui lòng thử lại sau ít phút."),
        (r"^(?P<file>[^:]+): empty file \(0 bytes\)$", "{file}: tệp rỗng (0 byte)."),
        (r"^(?P<file>[^:]+): content is (?P<what>.+), not a document \(extension (?P<ext>.+)\)$",
         "{file}: nội dung không phải là văn bản (phần mở rộng {ext})."),
        (r"^(?P<file>[^:]+): not a (?P<kind>\w+) file: its content does not start like one \(corrupt or renamed\)$",
         "{file}: không phải tệp {kind} (nội dung hỏng hoặc tệp bị đổi tên)."),
        (r"^(?P<file>[^:]+): binary content, not text$", "{file}: nội dung nhị phân, không phải văn bản."),
        (r"^(?P<file>[^:]+): unsupported file type (?P<ext>.+)$", "{file}: không hỗ trợ loại tệp {ext}."),
        (r"^(?P<file>[^:]+): no text layer: needs OCR.*$", "{file}: tệp PDF không có lớp chữ, cần nhận dạng ký tự (OCR)."),
        (r"^(?P<file>[^:]+): encrypted (PDF|Word document).*$", "{file}: tệp có mật khẩu; hãy gỡ mật khẩu rồi tải lên lại."),
        (r"^(?P<file>[^:]+): no text in the document$", "{file}: văn bản không có nội dung chữ."),
        (r"^no upload job (?P<id>\S+)$", "Không có lượt tải lên {id}."),
        (r"^interrupted: the server stopped before this upload was ingested; upload it again$",
         "Bị gián đoạn: máy chủ đã dừng trước khi nạp xong tệp này; hãy tải lên lại."),
        (r"^(?P<file>[^:]+): (?P<reason>.+)$", "{file}: không đọc được tệp ({reason})."),
    )
]


def in_both_languages(message: str) -> dict[str, str]:
    """A message of the workspace's API as {"vi", "en"}."""
    english = message
    for pattern, vietnamese in _VIETNAMESE:
        match = pattern.match(message)
        if match:
            return {"vi": vietnamese.format(**match.groupdict()), "en": english}
    return {"vi": f"Không thực hiện được: {message}", "en": english}


def refused(status: int, code: str, message: str, **extra) -> JSONResponse:
    """The API's error shape with the message in both languages."""
    return error(status, code, message, messages=in_both_languages(message), **extra)
