from django.contrib import admin

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subject", "code", "title", "read_at", "emailed_to"]
    list_filter = ["code"]
    search_fields = ["title", "subject__name"]
    raw_id_fields = ["subject"]
