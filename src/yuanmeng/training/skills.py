"""The skill categories that courses and training orders are filed under (the trades unions train for)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SkillCategory(models.TextChoices):
    ELECTRICAL = "electrical", _("Electrical")
    CNC = "cnc", _("CNC machining")
    WELDING = "welding", _("Welding")
    LOGISTICS = "logistics", _("Logistics")
    MECHANICAL = "mechanical", _("Mechanical maintenance")
    CONSTRUCTION = "construction", _("Construction trades")
    AUTOMOTIVE = "automotive", _("Automotive repair")
    DIGITAL = "digital", _("Digital skills")
    ELDERLY_CARE = "elderly_care", _("Elderly and child care")
    HOUSEKEEPING = "housekeeping", _("Housekeeping")
    CATERING = "catering", _("Catering and cooking")
    E_COMMERCE = "e_commerce", _("E-commerce and live selling")
    SAFETY = "safety", _("Work safety")
    GENERAL = "general", _("General education")
