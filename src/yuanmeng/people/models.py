"""Workers: one person, one record, whatever enterprise or city they move to.

A worker proves who they are with one of three documents numbered alike (``DocumentType``): the resident
identity card, a residence permit of Hong Kong, Macao or Taiwan residents, or the foreign permanent resident
ID card; one number is one person whatever the document.

Identity and bank numbers are stored encrypted (``EncryptedTextField``), found through an HMAC
blind index, and shown through a masked copy kept beside them (cheap to list a million rows
without decrypting any).
"""

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet
from yuanmeng.core.crypto import EncryptedTextField
from yuanmeng.core.validators import DocumentType


class PatternIndex(models.Index):
    """An index on expressions under PostgreSQL operator classes (``OpClass``, e.g. ``varchar_pattern_ops`` for
    LIKE 'x%' whatever the database's collation); SQLite has no operator classes, so there it indexes the bare
    expressions."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        bare = [e.get_source_expressions()[0] if isinstance(e, OpClass) else e for e in self.expressions]
        return models.Index(*bare, name=self.name).create_sql(model, schema_editor, using=using, **kwargs)


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class JobCategory(models.TextChoices):
    FRONT_LINE_PRODUCTION = "production", _("Front-line production")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other")


class HonourLevel(models.TextChoices):
    NONE = "", _("None")
    DISTRICT = "district", _("District")
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


class MembershipState(models.TextChoices):
    """Whether the enterprise union has confirmed that a worker is its member. A worker registered by a union is
    confirmed at once; one who signed up on their own waits (``PENDING``) until the union confirms or declines."""

    CONFIRMED = "confirmed", _("Confirmed")
    PENDING = "pending", _("Waiting for the union")
    DECLINED = "declined", _("Declined by the union")


class Worker(models.Model):
    SCOPE_PATH = "employer__organisation__path"
    SCOPE_OWNER = "user"

    name = models.CharField(_("full name"), max_length=50)
    document_type = models.CharField(_("document type"), max_length=16, choices=DocumentType.choices,
                                     default=DocumentType.RESIDENT_ID)
    id_number = EncryptedTextField(_("identity number"))
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("identity number"), max_length=18, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    mobile = models.CharField(_("mobile number"), max_length=11, db_index=True)
    employer = models.ForeignKey(
        "orgs.Enterprise", verbose_name=_("employer"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="workers",
    )
    union_member_since = models.DateField(_("union member since"), null=True, blank=True)
    membership = models.CharField(_("membership"), max_length=10, choices=MembershipState.choices,
                                  default=MembershipState.CONFIRMED, db_default=MembershipState.CONFIRMED)
    membership_decline_reason = models.CharField(_("reason for declining"), max_length=200, blank=True,
                                                 default="", db_default="")
    job_category = models.CharField(_("job category"), max_length=16, choices=JobCategory.choices)
    is_migrant_worker = models.BooleanField(_("migrant worker"), default=False)
    is_new_employment_form = models.BooleanField(
        _("new employment form"), default=False,
        help_text=_("Couriers, delivery riders, ride-hailing drivers and other platform workers."),
    )
    model_worker_level = models.CharField(
        _("model worker"), max_length=10, choices=HonourLevel.choices, blank=True, default=""
    )
    labour_medal_level = models.CharField(
        _("May Day Labour Medal"), max_length=10, choices=HonourLevel.choices, blank=True, default=""
    )
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = EncryptedTextField(_("bank account number"), blank=True, default="")
    bank_account_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    bank_account_masked = models.CharField(_("bank account number"), max_length=30, blank=True, editable=False)
    # When the bank last refused a payment to this account (payouts' results, through ``bank_accounts_refused``);
    # cleared when the account is corrected. Until then the worker is not drawn into a payout round.
    bank_account_refused_at = models.DateTimeField(_("bank account refused by the bank"), null=True, blank=True,
                                                   editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="worker"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["employer", "name"]),
            models.Index(fields=["membership", "employer"], name="people_worker_membership"),
            # A search by name is a prefix in any case (people.selectors.workers_named): on PostgreSQL Django's
            # istartswith is UPPER("name"::text) LIKE UPPER('x%'), which this index serves whatever the database's
            # collation (PostgreSQL stores UPPER("name") as upper(name::text), the query's expression).
            PatternIndex(OpClass(Upper("name"), name="varchar_pattern_ops"), name="worker_name_upper_prefix"),
            # The few workers a payment cannot reach (people.selectors.no_usable_account_sql): a round's plan counts
            # a policy's verified applicants among them from here, without reading every worker.
            models.Index(fields=["id"], name="worker_without_usable_account",
                         condition=Q(bank_account_masked="") | Q(bank_account_refused_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"
