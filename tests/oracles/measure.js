// Reads a JSON array of texts on stdin; prints, for each, what the networks' own libraries say of it:
// twitter-text's parseTweet (X) and @atproto/api's RichText.graphemeLength (Bluesky).
"use strict";
const twitter = require("twitter-text");
const { RichText } = require("@atproto/api");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const texts = JSON.parse(input);
  const answers = texts.map((text) => {
    const tweet = twitter.parseTweet(text);
    return {
      x_weighted_length: tweet.weightedLength,
      x_valid: tweet.valid,
      bluesky_graphemes: new RichText({ text }).graphemeLength,
    };
  });
  process.stdout.write(JSON.stringify(answers));
});
