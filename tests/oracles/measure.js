// Reads JSON arrays of texts on stdin, one array per line; for each line prints one line: for each text,
// what the networks' own libraries say of it: twitter-text's parseTweet and extractUrls (X) and
// @atproto/api's RichText.graphemeLength (Bluesky). One process answers a whole test session.
"use strict";
const readline = require("readline");
const twitter = require("twitter-text");
const { RichText } = require("@atproto/api");

const verdict = (text) => {
  const tweet = twitter.parseTweet(text);
  return {
    x_weighted_length: tweet.weightedLength,
    x_valid: tweet.valid,
    x_links: twitter.extractUrls(text).length,
    bluesky_graphemes: new RichText({ text }).graphemeLength,
  };
};

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (line.trim()) process.stdout.write(JSON.stringify(JSON.parse(line).map(verdict)) + "\n");
});
