"""``core.api.Values``: an answer validated from a dict of values gives what ninja's own way gives from an object."""

from types import SimpleNamespace

from ninja import Field, Schema

from yuanmeng.core.api import Values


class Row(Values):
    id: int
    name: str = Field(..., alias="worker_name")
    label: str = ""

    @staticmethod
    def resolve_label(row) -> str:
        name = row["worker_name"] if isinstance(row, dict) else row.worker_name
        return f"#{name}"


class Page(Schema):
    items: list[Row]


def test_a_dict_and_an_object_give_the_same_answer():
    values = {"id": 7, "worker_name": "林静", "unread": "ignored"}
    from_dict = Row.model_validate(values).model_dump()
    assert from_dict == Row.model_validate(SimpleNamespace(**values)).model_dump()
    assert from_dict == {"id": 7, "name": "林静", "label": "#林静"}


def test_rows_nested_in_a_page_are_validated_as_values():
    page = Page.model_validate(SimpleNamespace(items=[{"id": 1, "worker_name": "a"}, {"id": 2, "worker_name": "b"}]))
    assert [row.label for row in page.items] == ["#a", "#b"]
