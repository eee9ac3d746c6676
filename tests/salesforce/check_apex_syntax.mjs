// Parses every Apex class (.cls) and trigger (.trigger) in the folders given and exits 1 on
// the first file with a syntax error, printing every error of every file as
// <file>:<line>:<column>: <message>. Syntax only: types, fields and SOQL against a schema
// are checked by Salesforce when the class is deployed.
//
//   node check_apex_syntax.mjs DIR_OR_FILE...          every file must parse
//   node check_apex_syntax.mjs --expect-error FILE...  every file must be rejected (the
//                                                      proof that the check can fail)

import { ApexErrorListener, ApexParserFactory } from "@apexdevtools/apex-parser";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

class CollectingListener extends ApexErrorListener {
  constructor() {
    super();
    this.errors = [];
  }
  apexSyntaxError(line, column, message) {
    this.errors.push({ line, column, message });
  }
}

function sources(path) {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .sort()
      .flatMap((name) => sources(join(path, name)));
  }
  return /\.(cls|trigger)$/.test(path) ? [path] : [];
}

// Lexer and parser errors both reach the listener (createLexerAndParser wires it to both).
function syntaxErrors(file) {
  const listener = new CollectingListener();
  const { parser } = ApexParserFactory.createLexerAndParser(readFileSync(file, "utf8"), listener);
  if (file.endsWith(".trigger")) {
    parser.triggerUnit();
  } else {
    parser.compilationUnit();
  }
  return listener.errors;
}

const args = process.argv.slice(2);
const expectError = args[0] === "--expect-error";
const paths = expectError ? args.slice(1) : args;
if (paths.length === 0) {
  console.error("usage: node check_apex_syntax.mjs [--expect-error] DIR_OR_FILE...");
  process.exit(2);
}

let files;
try {
  files = paths.flatMap(sources);
} catch (error) {
  console.error(`check_apex_syntax: ${error.message}`);
  process.exit(2);
}
if (files.length === 0) {
  console.error(`check_apex_syntax: no .cls or .trigger file in ${paths.join(", ")}`);
  process.exit(1);
}

let failed = 0;
for (const file of files) {
  const errors = syntaxErrors(file);
  for (const { line, column, message } of errors) {
    // ANTLR lists every token it could have accepted; the start says enough.
    const short = message.length > 200 ? `${message.slice(0, 200)}...` : message;
    console.log(`${file}:${line}:${column}: ${short.replace(/\s+/g, " ")}`);
  }
  const ok = expectError ? errors.length > 0 : errors.length === 0;
  if (!ok) {
    failed += 1;
    console.log(`${file}: ${expectError ? "parsed, but a syntax error was expected" : "syntax error"}`);
  }
}
console.log(`${files.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
