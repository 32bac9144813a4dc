"""Configuration: the minimal config works, and every mistake is one line naming the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings, settings_from_mapping
from bot.errors import ConfigError

MINIMAL = """
hashtags = ["fliplead"]
[database]
url = "sqlite:///exemplar.db"
[[mastodon]]
base_url = "https://mastodon.social"
access_token_env = "EXEMPLAR_MASTODON_TOKEN"   # optional: public tag timelines need no token
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exemplar.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_minimal_config_from_the_issue_works(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL), environ={"EXEMPLAR_MASTODON_TOKEN": "s3cret"})

    assert settings.hashtags == ("fliplead",)
    [source] = settings.mastodon
    assert source.base_url == "https://mastodon.social"
    assert source.hashtags == ("fliplead",)
    assert source.access_token is not None
    assert source.access_token.reveal() == "s3cret"
    # A relative SQLite path is anchored to the config file, not to the working directory.
    assert settings.database_url.reveal() == f"sqlite:///{tmp_path / 'exemplar.db'}"


def test_secrets_never_show_in_reprs(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL), environ={"EXEMPLAR_MASTODON_TOKEN": "s3cret"})
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.mastodon[0].access_token)


def test_the_token_may_come_from_a_file_named_by_the_variable(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n", encoding="utf-8")
    settings = load_settings(
        write(tmp_path, MINIMAL), environ={"EXEMPLAR_MASTODON_TOKEN_FILE": str(token_file)}
    )
    assert settings.mastodon[0].access_token is not None
    assert settings.mastodon[0].access_token.reveal() == "from-file"


def test_per_instance_hashtags_and_a_hash_prefix(tmp_path: Path) -> None:
    text = (
        'hashtags = ["#FlipLead", "edchat"]\n'
        '[[mastodon]]\nbase_url = "https://a.example/"\nhashtags = ["#Flipped"]\n'
    )
    settings = load_settings(write(tmp_path, text), environ={})
    assert settings.hashtags == ("fliplead", "edchat")
    assert settings.mastodon[0].hashtags == ("flipped",)
    assert settings.mastodon[0].base_url == "https://a.example"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[mastodon]]\nbase_url = "https://a.example"\n',
            'hashtags is required; add it, e.g. hashtags = ["fliplead"]',
        ),
        ('hashtags = "fliplead"\n', "hashtags: must be a valid list, got 'fliplead'"),
        ("hashtags = []\n", "hashtags: is empty; list at least one"),
        ('hashtags = ["flip lead"]\n', "'flip lead' is not a hashtag"),
        (
            'hashtags = ["x"]\n[[mastodon]]\nbase_url = "mastodon.social"\n',
            "mastodon[0].base_url: 'mastodon.social' is not a URL; write the full address, e.g. base_url = \"https://mastodon.social\"",
        ),
        (
            'hashtags = ["x"]\n[[mastodon]]\nbase_url = "https://a.example/tags/x"\n',
            "has a path; give the instance's address only",
        ),
        (
            'hashtags = ["x"]\n[[mastodon]]\nbase_url = "https://a.example"\nacess_token_env = "T"\n',
            "mastodon[0].acess_token_env is not a known key; did you mean 'access_token_env'?",
        ),
        ('hashtag = ["x"]\n', "hashtag is not a known key; did you mean 'hashtags'?"),
        (
            'hashtags = ["x"]\n[collect]\npage_size = 80\n',
            "collect.page_size: must be less than or equal to 40, got 80",
        ),
        ('hashtags = ["x"]\n[[mastodon]]\n', "mastodon[0].base_url is required"),
        (
            'hashtags = ["x"]\n[[mastodon]]\nbase_url = "https://a.example"\n'
            'access_token_env = "abc-123 token"\n',
            "is not an environment variable name",
        ),
        (
            'hashtags = ["x"]\n[database]\nurl = "exemplar.db"\n',
            "database.url: 'exemplar.db' is not a database URL",
        ),
        ('hashtags = ["x"\n', "not valid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_the_key_and_the_fix(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), environ={})
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "exemplar.toml"))


def test_an_unset_token_variable_names_the_key_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, MINIMAL), environ={})
    assert "mastodon[0].access_token_env: environment variable EXEMPLAR_MASTODON_TOKEN is not set" in str(
        caught.value
    )
    assert "export EXEMPLAR_MASTODON_TOKEN=" in str(caught.value)


def test_a_missing_config_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"run `exemplar init --output .*nope\.toml`"):
        load_settings(tmp_path / "nope.toml")


def test_the_database_url_may_come_from_the_environment() -> None:
    settings = settings_from_mapping(
        {"hashtags": ["x"], "database": {"url_env": "DB_URL"}},
        path=None,
        environ={"DB_URL": "postgresql+psycopg://u:pw@localhost/exemplar"},
    )
    assert settings.database_url.reveal().startswith("postgresql+psycopg://")
    assert "pw" not in repr(settings)


def test_the_example_config_is_valid() -> None:
    example = Path(__file__).parent.parent / "config.example.toml"
    settings = load_settings(example, environ={"EXEMPLAR_MASTODON_TOKEN": "t"})
    assert settings.hashtags
    assert settings.mastodon


def test_x_sources_need_a_bearer_token_from_the_environment(tmp_path: Path) -> None:
    text = 'hashtags = ["fliplead"]\n[[x]]\nbearer_token_env = "X_BEARER"\n'
    settings = load_settings(write(tmp_path, text), environ={"X_BEARER": "AAAA"})
    [source] = settings.x
    assert source.bearer_token.reveal() == "AAAA"
    assert source.hashtags == ("fliplead",)
    with pytest.raises(
        ConfigError, match=r"x\[0\].bearer_token_env: environment variable X_BEARER is not set"
    ):
        load_settings(write(tmp_path, text), environ={})


def test_bluesky_sources_need_an_app_password_from_the_environment(tmp_path: Path) -> None:
    text = (
        'hashtags = ["fliplead"]\n[[bluesky]]\n'
        'handle = "@exemplar.bsky.social"\napp_password_env = "BSKY_PW"\n'
    )
    settings = load_settings(write(tmp_path, text), environ={"BSKY_PW": "abcd-efgh"})
    [source] = settings.bluesky
    assert (source.handle, source.base_url, source.app_password.reveal()) == (
        "exemplar.bsky.social",
        "https://bsky.social",
        "abcd-efgh",
    )
    with pytest.raises(ConfigError, match=r"bluesky\[0\].app_password_env: environment variable BSKY_PW"):
        load_settings(write(tmp_path, text), environ={})


def test_publishing_to_x_and_bluesky_is_off_unless_configured(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, 'hashtags = ["fliplead"]\n'), environ={})
    assert (settings.publish_x, settings.publish_bluesky) == (None, None)

    text = (
        'hashtags = ["fliplead"]\n'
        '[publish.x]\nconsumer_key_env = "CK"\nconsumer_secret_env = "CS"\n'
        'access_token_env = "AT"\naccess_token_secret_env = "ATS"\n'
        '[publish.bluesky]\nhandle = "@exemplar.bsky.social"\napp_password_env = "BSKY_PUBLISH"\n'
    )
    environ = {"CK": "ck-1", "CS": "cs-2", "AT": "at-3", "ATS": "ats-4", "BSKY_PUBLISH": "wxyz-1234"}
    settings = load_settings(write(tmp_path, text), environ=environ)

    assert settings.publish_x is not None
    assert settings.publish_bluesky is not None
    x = settings.publish_x
    secrets = (x.consumer_key, x.consumer_secret, x.access_token, x.access_token_secret)
    assert [secret.reveal() for secret in secrets] == ["ck-1", "cs-2", "at-3", "ats-4"]
    assert settings.publish_bluesky.handle == "exemplar.bsky.social"
    assert all(value not in repr(settings) for value in environ.values())
    with pytest.raises(ConfigError, match=r"publish.x.access_token_secret_env: environment variable ATS"):
        load_settings(write(tmp_path, text), environ={**environ, "ATS": ""})
