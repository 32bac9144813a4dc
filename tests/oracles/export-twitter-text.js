// Writes the rules of the official twitter-text (and of twemoji-parser, which it counts emoji with) as
// JSON: the weights, and the regular expressions' JavaScript sources. Exemplar's X counter
// (digests/render/xtext.py) runs these exact expressions; run `scripts/update-twitter-text-data` after
// upgrading twitter-text in tests/oracles/package.json.
"use strict";
const regexp = (name) => require(`twitter-text/dist/regexp/${name}`);
const source = (re) => ({ source: re.source, flags: re.flags });
const data = {
  about:
    "Generated from the npm packages twitter-text (Apache-2.0, Twitter Inc.) and twemoji-parser " +
    "(MIT, Twitter Inc.) by scripts/update-twitter-text-data; do not edit by hand.",
  twitter_text_version: require("twitter-text/package.json").version,
  twemoji_parser_version: require("twemoji-parser/package.json").version,
  config: require("twitter-text/dist/configs").defaults,
  extract_url: source(regexp("extractUrl")),
  valid_ascii_domain: source(regexp("validAsciiDomain")),
  valid_tco_url: source(regexp("validTcoUrl")),
  invalid_url_without_protocol_preceding_chars: source(regexp("invalidUrlWithoutProtocolPrecedingChars")),
  invalid_chars: source(regexp("invalidChars")),
  emoji: source(require("twemoji-parser/dist/lib/regex").default),
};
process.stdout.write(JSON.stringify(data, null, 1) + "\n");
