"""Privacy by design: third parties' personal data detected at capture and pseudonymised.

detect.py finds it (structure learned from the page, Presidio recognisers on the text, and
propagation of every learned name/handle/URL), pseudonym.py derives keyed pseudonyms, rewrite.py
applies them to text, bodies and URLs. No Scrapy or Playwright imports anywhere in this package:
replay imports it.
"""

from crawler.privacy.detect import FINDING_TYPES, Finding, PiiDetector, ThirdParty
from crawler.privacy.pseudonym import Pseudonymiser
from crawler.privacy.rewrite import pseudonymise_body, pseudonymise_text, pseudonymise_url

__all__ = ["FINDING_TYPES", "Finding", "PiiDetector", "Pseudonymiser", "ThirdParty", "pseudonymise_body",
           "pseudonymise_text", "pseudonymise_url"]
