from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import NotFound, PermissionDenied


class NoticeNotFound(NotFound):
    code = "notice.not_found"
    default_message = _("No such notice.")


class NoSubject(PermissionDenied):
    code = "notice.no_subject"
    default_message = _("Your account does not act for a credit subject, so it has no notices.")
