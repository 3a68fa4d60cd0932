// Test glue for the precepts end-to-end test, running inside VS Code's extension host.
//
// It does nothing unless PRECEPTS_E2E_OUT is set in the environment that started
// code-server (the extension host inherits it). It records what VS Code saw, one JSON
// object per line in that file; the pytest side decides whether that is right.
// Steps (mode "full"): wait for the precepts extension; open sample.py and wait for
// diagnostics; hover through VS Code's hover providers and in the UI (the driver
// screenshots it); apply a quick fix with VS Code's own edit machinery and wait for the
// diagnostic to go; run "precepts: Fix all"; save a file with editor.codeActionsOnSave;
// change a precepts setting and watch the diagnostics follow; restart the server; open
// pyproject.toml, see BP804 and apply its quick fix; show the output channel.
// Mode "startup": record which server the extension started, or its state when it found
// none (the driver reads the notification), and diagnostics of sample.py when running.

"use strict";
const fs = require("fs");
const path = require("path");
const vscode = require("vscode");

const OUT = process.env.PRECEPTS_E2E_OUT;
const SIGNALS = process.env.PRECEPTS_E2E_SIGNALS;
const MODE = process.env.PRECEPTS_E2E_MODE || "full";
const WORKSPACE = process.env.PRECEPTS_E2E_WORKSPACE;

function record(step, data) {
  fs.appendFileSync(OUT, JSON.stringify({ step, time: Date.now(), ...data }) + "\n");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(100);
  }
}

const SEVERITY = ["error", "warning", "info", "hint"];

function describeDiagnostic(d) {
  const code = d.code && typeof d.code === "object" ? d.code.value : d.code;
  return {
    code: code === undefined ? null : String(code),
    message: d.message,
    source: d.source || null,
    severity: SEVERITY[d.severity],
    range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character],
  };
}

function preceptsDiagnostics(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === "precepts");
}

function hoverText(hovers) {
  const parts = [];
  for (const hover of hovers || []) {
    for (const content of hover.contents) {
      parts.push(typeof content === "string" ? content : content.value);
    }
  }
  return parts.join("\n---\n");
}

async function open(name) {
  const uri = vscode.Uri.file(path.join(WORKSPACE, name));
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  return { uri, document, editor };
}

async function waitForCodes(uri, what, predicate, timeoutMs = 30000) {
  await waitFor(what, () => predicate(preceptsDiagnostics(uri).map((d) => describeDiagnostic(d).code)), timeoutMs);
  return preceptsDiagnostics(uri).map(describeDiagnostic);
}

async function waitForSignal(name, timeoutMs) {
  const file = path.join(SIGNALS, name);
  await waitFor(`signal ${name}`, () => fs.existsSync(file), timeoutMs);
}

// Waits until a settings update is visible to extensions (VS Code reloads the user
// settings after writing them; reading them at once can see neither old nor new values).
async function updateSetting(key, value) {
  const path = vscode.workspace.getConfiguration("precepts").get("path");
  await vscode.workspace.getConfiguration("precepts").update(key, value, vscode.ConfigurationTarget.Global);
  await waitFor(`the ${key} setting to settle`, () => {
    const config = vscode.workspace.getConfiguration("precepts");
    return (
      config.get("path") === path && JSON.stringify(config.inspect(key).globalValue) === JSON.stringify(value)
    );
  }, 10000);
}

function describeAction(a) {
  return {
    title: a.title,
    kind: a.kind ? a.kind.value : null,
    preferred: !!a.isPreferred,
    hasEdit: !!a.edit,
    command: a.command ? a.command.command : null,
    diagnostics: (a.diagnostics || []).map((d) => describeDiagnostic(d).code),
  };
}

// Ask the code action providers for quick fixes on a range, and let VS Code apply the
// preferred one (or the first that is not a suppression) with its own edit machinery.
async function applyQuickFix(uri, range, code) {
  const actions =
    (await vscode.commands.executeCommand(
      "vscode.executeCodeActionProvider",
      uri,
      range,
      vscode.CodeActionKind.QuickFix.value,
      10,
    )) || [];
  // (VS Code does not hand the actions' diagnostics back through this command.)
  const quickfixes = actions.filter((a) => a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind));
  const fix =
    quickfixes.find((a) => a.isPreferred) || quickfixes.find((a) => !/noqa|ignore|suppress|disable/i.test(a.title));
  if (!fix) {
    throw new Error(`no quick fix for ${code} was offered`);
  }
  let applied = false;
  if (fix.edit) {
    applied = await vscode.workspace.applyEdit(fix.edit);
  }
  if (fix.command) {
    await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments || []));
    applied = true;
  }
  return { actions: actions.map(describeAction), fix, applied };
}

async function precepts() {
  const extension = vscode.extensions.getExtension("precepts-dev.precepts");
  if (!extension) {
    throw new Error("the precepts extension is not installed");
  }
  const api = extension.isActive ? extension.exports : await extension.activate();
  await api.ready();
  return api;
}

async function full() {
  const api = await precepts();
  record("extension", { state: api.state, server: api.server || null });

  // 1. Diagnostics from didOpen.
  const sample = await open("sample.py");
  const diagnostics = await waitForCodes(sample.uri, "BP105 in sample.py", (codes) => codes.includes("BP105"));
  record("diagnostics", { file: "sample.py", diagnostics });
  const bp105 = preceptsDiagnostics(sample.uri).find((d) => describeDiagnostic(d).code === "BP105");

  // 2. Hover through the registered hover providers (that is, the language client).
  const position = bp105.range.start.translate(0, 1);
  const hovers = await vscode.commands.executeCommand("vscode.executeHoverProvider", sample.uri, position);
  record("hover", { text: hoverText(hovers) });

  // 2b. The same hover in the UI, for the driver to read from the DOM and screenshot.
  sample.editor.selection = new vscode.Selection(position, position);
  sample.editor.revealRange(bp105.range, vscode.TextEditorRevealType.InCenter);
  await sleep(300);
  await vscode.commands.executeCommand("editor.action.showHover");
  record("ui-hover-ready", {});
  await waitForSignal("hover-captured", 30000);
  await vscode.commands.executeCommand("editor.action.hideHover").then(undefined, () => undefined);

  // 3. Quick fix: ask the code action providers for quick fixes on the diagnostic's
  // range, and let VS Code apply the chosen action's WorkspaceEdit (didChange follows).
  const { actions, fix, applied } = await applyQuickFix(sample.uri, bp105.range, "BP105");
  record("code-actions", { actions });
  const after = await waitForCodes(sample.uri, "BP105 to clear", (codes) => !codes.includes("BP105"), 15000).catch(
    () => preceptsDiagnostics(sample.uri).map(describeDiagnostic),
  );
  record("quickfix", { title: fix.title, applied, text: sample.document.getText(), diagnostics: after });
  await vscode.commands.executeCommand("workbench.action.files.save");

  // 4. "precepts: Fix all" on a file with several fixable findings.
  const fixall = await open("fixall.py");
  const before = await waitForCodes(fixall.uri, "findings in fixall.py", (codes) => codes.length >= 3);
  const changed = await vscode.commands.executeCommand("precepts.fixAll");
  const afterFixAll = await waitForCodes(fixall.uri, "fixall.py to be clean", (codes) => codes.length === 0, 15000).catch(
    () => preceptsDiagnostics(fixall.uri).map(describeDiagnostic),
  );
  record("fix-all", { before, changed, text: fixall.document.getText(), diagnostics: afterFixAll });
  await vscode.commands.executeCommand("workbench.action.files.save");

  // 5. editor.codeActionsOnSave: source.fixAll.precepts (set in the user settings).
  const onsave = await open("onsave.py");
  const beforeSave = await waitForCodes(onsave.uri, "findings in onsave.py", (codes) => codes.length > 0);
  await onsave.editor.edit((edit) => edit.insert(new vscode.Position(onsave.document.lineCount, 0), "\n"));
  await vscode.commands.executeCommand("workbench.action.files.save");
  await waitFor("onsave.py to be saved", () => !onsave.document.isDirty, 15000).catch(() => undefined);
  record("save", {
    before: beforeSave,
    dirty: onsave.document.isDirty,
    text: onsave.document.getText(),
    disk: fs.readFileSync(onsave.uri.fsPath, "utf8"),
  });

  // 6. Settings reach the server: ignore BP105 for ignored.py, which also has BP606.
  const ignored = await open("ignored.py");
  const beforeIgnore = await waitForCodes(
    ignored.uri,
    "BP105 and BP606 in ignored.py",
    (codes) => codes.includes("BP105") && codes.includes("BP606"),
  );
  await updateSetting("ignore", ["BP105"]);
  const afterIgnore = await waitForCodes(
    ignored.uri,
    "BP105 to be ignored (and the other findings to stay)",
    (codes) => codes.length > 0 && !codes.includes("BP105"),
    15000,
  ).catch(
    () => preceptsDiagnostics(ignored.uri).map(describeDiagnostic),
  );
  record("settings", { before: beforeIgnore, after: afterIgnore });

  await updateSetting("ignore", undefined);

  // 7. "precepts: Restart server": a new server, and diagnostics come back for open files.
  await vscode.commands.executeCommand("precepts.restart");
  await api.ready();
  const restartedState = api.state;
  const editor = await vscode.window.showTextDocument(fixall.document, { preview: false });
  await editor.edit((edit) =>
    edit.insert(new vscode.Position(fixall.document.lineCount - 1, 0), "\nprint(open('x').read() == None)\n"),
  );
  const afterRestart = await waitForCodes(fixall.uri, "findings after the restart", (codes) => codes.length >= 2, 20000).catch(
    () => preceptsDiagnostics(fixall.uri).map(describeDiagnostic),
  );
  record("restart", { state: restartedState, diagnostics: afterRestart });

  // 7b. A file that is not Python: pyproject.toml has no coverage settings, so BP804
  // reports on it; its quick fix adds them and the finding goes.
  const pyproject = await open("pyproject.toml");
  const beforeCoverage = await waitForCodes(pyproject.uri, "BP804 in pyproject.toml", (codes) => codes.includes("BP804"));
  const bp804 = preceptsDiagnostics(pyproject.uri).find((d) => describeDiagnostic(d).code === "BP804");
  const coverageFix = await applyQuickFix(pyproject.uri, bp804.range, "BP804");
  const afterCoverage = await waitForCodes(pyproject.uri, "BP804 to clear", (codes) => !codes.includes("BP804"), 15000).catch(
    () => preceptsDiagnostics(pyproject.uri).map(describeDiagnostic),
  );
  record("pyproject", {
    language: pyproject.document.languageId,
    before: beforeCoverage,
    actions: coverageFix.actions,
    title: coverageFix.fix.title,
    applied: coverageFix.applied,
    text: pyproject.document.getText(),
    diagnostics: afterCoverage,
  });
  await vscode.commands.executeCommand("workbench.action.files.save");

  // 8. "precepts: Show output": the driver reads the output panel.
  await vscode.commands.executeCommand("precepts.showOutput");
  record("ui-output-ready", {});
  await waitForSignal("output-captured", 30000);

  record("extension-final", { state: api.state });
}

// Only start the extension: which server it found, or what it told the user.
async function startup() {
  const api = await precepts();
  record("extension", { state: api.state, server: api.server || null });
  if (api.state === "running") {
    const sample = await open("sample.py");
    const diagnostics = await waitForCodes(sample.uri, "diagnostics", (codes) => codes.length > 0, 30000).catch(
      () => preceptsDiagnostics(sample.uri).map(describeDiagnostic),
    );
    record("diagnostics", { file: "sample.py", diagnostics });
  }
}

async function main() {
  record("start", { mode: MODE, vscode: vscode.version, path: process.env.PATH, remoteName: vscode.env.remoteName || null });
  try {
    if (MODE === "startup") {
      await startup();
    } else {
      await full();
    }
    record("done", {});
  } catch (error) {
    record("error", { message: String(error && error.stack ? error.stack : error) });
  }
}

function activate() {
  if (OUT) {
    void main();
  }
}

module.exports = { activate, deactivate() {} };
