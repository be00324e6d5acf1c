"""The union tree, enterprises, schools and training providers, and who holds which role where.

The tree is stored as a materialised path (``/1/4/17/``): "everything under X" is one indexed
``LIKE 'X%'`` on both databases, which is what every scoped list needs.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet
from yuanmeng.orgs.roles import Role


class OrgKind(models.TextChoices):
    NATIONAL = "national", _("National federation")
    PROVINCE = "province", _("Province union")
    CITY = "city", _("City union")
    DISTRICT = "district", _("District union")
    INDUSTRY = "industry", _("Industry union")
    STREET = "street", _("Street union")
    ENTERPRISE = "enterprise", _("Enterprise union")
    SCHOOL = "school", _("School")
    PROVIDER = "provider", _("Training provider")


# Which kinds may sit directly under which.
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    OrgKind.NATIONAL: frozenset(),
    OrgKind.PROVINCE: frozenset({OrgKind.NATIONAL}),
    OrgKind.CITY: frozenset({OrgKind.PROVINCE}),
    OrgKind.DISTRICT: frozenset({OrgKind.CITY}),
    OrgKind.INDUSTRY: frozenset({OrgKind.CITY, OrgKind.PROVINCE}),
    OrgKind.STREET: frozenset({OrgKind.DISTRICT}),
    OrgKind.ENTERPRISE: frozenset({OrgKind.CITY, OrgKind.DISTRICT, OrgKind.INDUSTRY, OrgKind.STREET}),
    OrgKind.SCHOOL: frozenset({OrgKind.NATIONAL, OrgKind.PROVINCE, OrgKind.CITY}),
    OrgKind.PROVIDER: frozenset({OrgKind.CITY, OrgKind.DISTRICT}),
}


class Organisation(models.Model):
    SCOPE_PATH = "path"

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["depth", "name"]
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: "Organisation") -> bool:
        return self.path.startswith(other.path)

    def path_ids(self) -> list[int]:
        """The ids on the path from the root down to this organisation, itself last."""
        return path_ids(self.path)

    def ancestor_ids(self) -> list[int]:
        """The ids of the organisations above this one, outermost first."""
        return self.path_ids()[:-1]


def path_ids(path: str) -> list[int]:
    """The ids of a materialised path (``/1/4/17/`` → [1, 4, 17])."""
    return [int(part) for part in path.strip("/").split("/") if part]


class Industry(models.TextChoices):
    """Sections of GB/T 4754 (national industry classification) that our enterprises fall in."""

    AGRICULTURE = "A", _("Agriculture, forestry and fishing")
    MINING = "B", _("Mining")
    MANUFACTURING = "C", _("Manufacturing")
    UTILITIES = "D", _("Electricity, heat, gas and water")
    CONSTRUCTION = "E", _("Construction")
    TRADE = "F", _("Wholesale and retail")
    TRANSPORT = "G", _("Transport, storage and post")
    HOSPITALITY = "H", _("Accommodation and catering")
    IT = "I", _("Information technology services")
    FINANCE = "J", _("Finance")
    REAL_ESTATE = "K", _("Real estate")
    BUSINESS_SERVICES = "L", _("Leasing and business services")
    RESEARCH = "M", _("Research and technical services")
    ENVIRONMENT = "N", _("Water, environment and public facilities")
    RESIDENT_SERVICES = "O", _("Resident services and repairs")
    EDUCATION = "P", _("Education")
    HEALTH = "Q", _("Health and social work")
    CULTURE = "R", _("Culture, sports and entertainment")


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class Enterprise(models.Model):
    """The company behind an enterprise union (its node in the tree)."""

    SCOPE_PATH = "organisation__path"

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("enterprise union"), on_delete=models.PROTECT, related_name="enterprise"
    )
    legal_name = models.CharField(_("legal name"), max_length=120)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    size = models.CharField(_("size"), max_length=8, choices=EnterpriseSize.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["organisation__path"]

    def __str__(self) -> str:
        return self.legal_name


class SchoolType(models.TextChoices):
    OPEN_UNIVERSITY = "open_university", _("Open university")
    UNIVERSITY = "university", _("University")
    VOCATIONAL_COLLEGE = "vocational_college", _("Vocational college")
    ADULT_COLLEGE = "adult_college", _("Adult higher-education college")


class School(models.Model):
    """A partner university or college: confirms enrolments and graduations."""

    SCOPE_PATH = "organisation__path"

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="school"
    )
    school_code = models.CharField(_("national school code"), max_length=5, unique=True, null=True, blank=True)
    school_type = models.CharField(_("school type"), max_length=20, choices=SchoolType.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.organisation.name


class Membership(models.Model):
    """A staff user's role in an organisation; the role reaches over its whole subtree."""

    SCOPE_PATH = "organisation__path"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
