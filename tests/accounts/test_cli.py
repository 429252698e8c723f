"""The `flask facilitator` commands read passwords from stdin, never from argv."""

from __future__ import annotations

from flask import Flask

from accounts import operations
from core.unit_of_work import committed


def test_create_and_reset_password(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["facilitator", "create", "ada@example.org"], input="a long password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert operations.authenticate("ada@example.org", "a long password")
    result = runner.invoke(args=["facilitator", "reset-password", "ada@example.org"], input="another one!!\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert operations.authenticate("ada@example.org", "another one!!")
        assert not operations.authenticate("ada@example.org", "a long password")


def test_create_refuses_short_password_and_duplicates(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["facilitator", "create", "a@b.org"], input="short\n").exit_code != 0
    assert runner.invoke(args=["facilitator", "create", "a@b.org"], input="long enough!\n").exit_code == 0
    result = runner.invoke(args=["facilitator", "create", "A@B.org"], input="long enough!\n")
    assert result.exit_code != 0
    assert "exists already" in result.output


def test_reset_unknown_email(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["facilitator", "reset-password", "x@y.org"], input="whatever12\n"
    )
    assert result.exit_code != 0
    assert "No facilitator" in result.output


def test_a_password_reset_signs_the_facilitator_out_everywhere(app: Flask) -> None:
    with app.app_context():
        with committed():
            facilitator = operations.create_facilitator("grace@example.org", "a long password")
            tokens = [operations.start_session(facilitator) for _ in range(2)]
        assert all(operations.find_session(token) for token in tokens)
    result = app.test_cli_runner().invoke(
        args=["facilitator", "reset-password", "grace@example.org"], input="a new password\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert not any(operations.find_session(token) for token in tokens)
