"""The organisation's own other accounts are no third parties (issue 11): `sma run` passes every
account of the registry to the crawl (`sma crawl --public-account`), `sma crawl` makes them the
setting SMA_PUBLIC_ACCOUNTS (with the environment's), and the crawl's privacy pipeline keeps them
readable in the access copy while a citizen's handle beside them is pseudonymised (byte-wise).
No crawl: the pipeline is built with Scrapy's get_crawler."""

from __future__ import annotations

from pathlib import Path

from scrapy.utils.test import get_crawler

from crawler.privacy import Pseudonymiser, pseudonymise_body
from crawler.privacy_pipeline import PrivacyPipeline, account_identities
from crawler.spec import CrawlSpec
from sma.cli import build_parser
from sma.commands.run import crawl_command
from sma.registry import load_registry

REGISTRY = """\
organisation:
  id: gemeente-demo
  name: Gemeente Demodorp
accounts:
  - id: mastodon-main
    platform: mastodon
    url: http://127.0.0.1:8700/@gemeente_demodorp
    type: corporate
    comments: true
    process: publieksvoorlichting
    schedule: daily
  - id: youtube-main
    platform: youtube
    url: http://127.0.0.1:8700/youtube/@DemodorpTV/videos
    type: corporate
    comments: true
    process: publieksvoorlichting
    schedule: daily
"""
# A citizen answers the organisation and names its other account; the page is the Mastodon account's.
PAGE = (b'<p>Vraag het @DemodorpTV of de Gemeente Demodorp, zegt @truus_1948 tegen '
        b'<a href="/@gemeente_demodorp">@gemeente_demodorp</a></p>')


def _pipeline(tmp_path: Path, public: list[str] | None) -> PrivacyPipeline:
    spec = CrawlSpec(url="http://127.0.0.1:8700/@gemeente_demodorp", archive=tmp_path, crawl_id="c1")
    settings = {"SMA_ARCHIVE_DIR": str(tmp_path), "SMA_CRAWL_ID": "c1", "SMA_CRAWL_SPEC": spec,
                "EXTENSIONS": {"crawler.state.CrawlState": 0}}
    if public is not None:
        settings["SMA_PUBLIC_ACCOUNTS"] = public
    crawler = get_crawler(settings_dict=settings)
    return PrivacyPipeline.from_crawler(crawler)


def _access_copy(pipeline: PrivacyPipeline) -> bytes:
    detector = pipeline._detector()
    detector.presidio = False  # as the access derivative runs it (identical matches, no engine to build)
    body, _ = pseudonymise_body(PAGE, "text/html", "http://127.0.0.1:8700/@gemeente_demodorp/1", detector,
                                Pseudonymiser(b"p" * 32))
    return body


def test_sma_run_passes_every_registry_account_and_the_organisation_to_the_crawl(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    registry = load_registry(path)
    command = crawl_command(registry, registry.accounts[0], tmp_path / "archive")
    args = build_parser().parse_args(command[command.index("crawl"):])
    assert args.public_accounts == ["http://127.0.0.1:8700/@gemeente_demodorp",
                                    "http://127.0.0.1:8700/youtube/@DemodorpTV/videos", "Gemeente Demodorp"]
    from sma.capture import _settings

    assert _settings(args)["SMA_PUBLIC_ACCOUNTS"] == args.public_accounts


def test_account_urls_name_their_handles() -> None:
    assert account_identities("http://h/youtube/@DemodorpTV/videos") == ["DemodorpTV"]
    assert account_identities("https://h/linkedin/company/gemeente-demo/") == ["gemeente-demo"]
    assert account_identities("Gemeente Demodorp") == ["Gemeente Demodorp"]


def test_the_setting_keeps_the_organisations_accounts_and_pseudonymises_the_citizen(tmp_path: Path,
                                                                                    monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("SMA_PUBLIC_ACCOUNTS", raising=False)
    without = _access_copy(_pipeline(tmp_path, None))
    assert b"@DemodorpTV" not in without, "without the setting the other account is taken for a citizen"
    body = _access_copy(_pipeline(tmp_path, ["http://127.0.0.1:8700/youtube/@DemodorpTV/videos",
                                             "Gemeente Demodorp"]))
    assert b"@DemodorpTV" in body and b"Gemeente Demodorp" in body and b"@gemeente_demodorp" in body
    assert b"truus_1948" not in body and b"truus" not in body.lower()


def test_the_environment_still_counts(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("SMA_PUBLIC_ACCOUNTS", "DemodorpTV")
    body = _access_copy(_pipeline(tmp_path, None))
    assert b"@DemodorpTV" in body and b"truus_1948" not in body
