from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(label=_("spreadsheet (xlsx, xls, ods or csv)"),
                           help_text=_("Columns are matched by their names; download the template for them."))
    mode = forms.ChoiceField(label=_("if some rows are wrong"), widget=forms.RadioSelect, initial="all", choices=[
        ("all", _("import nothing, so that I can fix the file and upload it again")),
        ("valid", _("import the valid rows now"))])
