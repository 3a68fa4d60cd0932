"""BP803 over-mocking: failure injection is left alone, behaviour mocks are not."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import finding_lines


def _lines(code: str, path: str = "tests/test_users.py") -> list[int]:
    return finding_lines(code, path, "BP803")


@pytest.mark.parametrize(
    "test",
    [
        # the exception given to the patch
        """
        def test_edit_reports_a_database_error(client, appbuilder):
            with patch.object(
                appbuilder.session, "merge", side_effect=OperationalError("x", {}, None)
            ):
                assert client.post("/users/edit/1").status_code == 500
        """,
        # set on the mock inside its with-block (flask-appbuilder's tests)
        """
        def test_edit_reports_a_database_error(client, appbuilder):
            with patch.object(appbuilder.session, "merge") as mock_merge:
                with patch.object(appbuilder.sm, "has_access", return_value=True):
                    mock_merge.side_effect = Exception("BANG!")
                    assert client.post("/users/edit/1").status_code == 500
        """,
    ],
)
def test_a_patch_that_only_raises_is_left_alone(test: str) -> None:
    code = "from unittest.mock import patch\n\nfrom sqlalchemy.exc import OperationalError\n\n\n"
    assert _lines(code + textwrap.dedent(test)) == []


def test_a_patch_that_replaces_behaviour_is_reported() -> None:
    code = """
    from unittest.mock import patch


    def test_edit(client, appbuilder):
        with patch.object(appbuilder.session, "merge") as mock_merge:
            mock_merge.return_value = None
            client.post("/users/edit/1")
        mock_merge.assert_called_once()
    """
    assert _lines(code) == [5]
