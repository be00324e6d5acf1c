import pytest

from yuanmeng.orgs.roles import Role


class People:
    """One user for each way of touching an application of the 天河 enterprise."""

    def __init__(self, tree):
        self.worker = tree.member(name="申请人")
        self.applicant = self.worker.user
        self.enterprise = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
        self.district = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
        self.city = tree.staff(Role.CITY_ADMIN, tree.city)
        self.school = tree.staff(Role.SCHOOL_STAFF, tree.school)
        self.other_district = tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu)
        self.auditor = tree.staff(Role.AUDITOR, tree.city)

    def by_actor(self):
        return {"applicant": self.applicant, "enterprise": self.enterprise, "district": self.district,
                "city": self.city, "school": self.school, "other_district": self.other_district,
                "auditor": self.auditor}


@pytest.fixture
def people(tree):
    return People(tree)


@pytest.fixture
def policy(tree):
    return tree.policy()
