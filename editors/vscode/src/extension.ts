// The precepts VS Code extension: starts `precepts serve` and connects it to VS Code.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { locateServer, onInterpreterChange, ServerCommand, ServerNotFound } from "./locate";

/** The code action kind the server offers for "fix everything safe in this file". */
export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append("precepts");

/** Settings that change which program runs: a change restarts the server. */
const LAUNCH_SETTINGS = ["precepts.path", "precepts.interpreter"];

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let starting: Promise<void> | undefined;

/** What the extension hands back from activate(); tests read it. */
export interface PreceptsApi {
  /** The running client, if any. */
  readonly client: LanguageClient | undefined;
  /** "starting" | "running" | "stopped" | "failed". */
  readonly state: string;
  /** How the server was started. */
  readonly server: ServerCommand | undefined;
  /** Resolves when the current (re)start attempt has finished. */
  ready(): Promise<void>;
}

let state = "stopped";
let server: ServerCommand | undefined;

function setStatus(next: "starting" | "running" | "stopped" | "failed", detail?: string): void {
  state = next;
  const icons = { starting: "$(sync~spin)", running: "$(check)", stopped: "$(circle-slash)", failed: "$(error)" };
  status.text = `${icons[next]} precepts`;
  status.tooltip =
    next === "running" && server
      ? `precepts language server is running (${server.command} ${server.args.join(" ")}, from ${server.source}). Click to show its output.`
      : `precepts language server: ${detail ?? next}. Click to show its output.`;
  status.backgroundColor =
    next === "failed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  status.show();
}

/**
 * Opens the settings editor on one setting. Path settings are machine-scoped: in a
 * remote window (SSH, WSL, containers, code-server) they live in the Remote tab.
 */
function openSetting(setting: string): Thenable<unknown> {
  const command = vscode.env.remoteName
    ? "workbench.action.openRemoteSettings"
    : "workbench.action.openSettings";
  return vscode.commands.executeCommand(command, { query: setting });
}

function clientOptions(): LanguageClientOptions {
  const settings = vscode.workspace.getConfiguration("precepts");
  return {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
      // BP804 reads the coverage settings of these files. VS Code gives setup.cfg and
      // .coveragerc no language (and pyproject.toml only with a TOML extension), so they
      // are matched by name, whatever language VS Code assigns.
      { scheme: "file", pattern: "**/{pyproject.toml,setup.cfg,.coveragerc}" },
    ],
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // The server pulls `workspace/configuration` for section "precepts"; this also
    // sends `workspace/didChangeConfiguration` whenever a precepts.* setting changes.
    synchronize: { configurationSection: "precepts" },
    initializationOptions: { settings: JSON.parse(JSON.stringify(settings)) },
  };
}

async function start(): Promise<void> {
  setStatus("starting");
  try {
    server = await locateServer((line) => output.info(line));
  } catch (error) {
    server = undefined;
    const message = error instanceof Error ? error.message : String(error);
    const setting = error instanceof ServerNotFound ? error.setting : "precepts.path";
    output.error(message);
    setStatus("failed", "not found");
    void vscode.window.showErrorMessage(message, "Open Settings", "Show Output").then((choice) => {
      if (choice === "Open Settings") {
        void openSetting(setting);
      } else if (choice === "Show Output") {
        output.show();
      }
    });
    return;
  }
  output.info(`Starting ${server.command} ${server.args.join(" ")} (from ${server.source})`);
  const serverOptions: ServerOptions = {
    command: server.command,
    args: server.args,
    transport: TransportKind.stdio,
    options: { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath },
  };
  const next = new LanguageClient("precepts", "precepts", serverOptions, clientOptions());
  next.onDidChangeState((event) => {
    if (event.newState === State.Running) {
      setStatus("running");
    } else if (event.newState === State.Starting) {
      setStatus("starting");
    } else if (client === next && state !== "failed") {
      setStatus("stopped");
    }
  });
  client = next;
  try {
    await next.start();
    setStatus("running");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output.error(`The precepts language server failed to start: ${message}`);
    setStatus("failed", "failed to start");
    void vscode.window
      .showErrorMessage(
        `precepts: the language server (${server.command} ${server.args.join(" ")}) failed to start. See the output for details.`,
        "Show Output",
        "Open Settings",
      )
      .then((choice) => {
        if (choice === "Show Output") {
          output.show();
        } else if (choice === "Open Settings") {
          void openSetting("precepts.path");
        }
      });
  }
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  if (current) {
    try {
      await current.stop(5000);
    } catch (error) {
      output.warn(`Stopping the server: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function restart(): Promise<void> {
  const previous = starting ?? Promise.resolve();
  starting = previous.then(async () => {
    await stop();
    await start();
  });
  return starting;
}

/** Applies the server's `source.fixAll.precepts` action to a document; returns whether it changed. */
async function fixAll(document: vscode.TextDocument): Promise<boolean> {
  const whole = new vscode.Range(0, 0, document.lineCount, 0);
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      "vscode.executeCodeActionProvider",
      document.uri,
      whole,
      FIX_ALL_KIND.value,
      10,
    )) ?? [];
  let changed = false;
  for (const action of actions) {
    if (!action.kind || !FIX_ALL_KIND.contains(action.kind)) {
      continue;
    }
    if (action.edit) {
      changed = (await vscode.workspace.applyEdit(action.edit)) || changed;
    }
    if (action.command) {
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
      changed = true;
    }
  }
  return changed;
}

export async function activate(context: vscode.ExtensionContext): Promise<PreceptsApi> {
  output = vscode.window.createOutputChannel("precepts", { log: true });
  status = vscode.window.createStatusBarItem("precepts.status", vscode.StatusBarAlignment.Right, 100);
  status.name = "precepts";
  status.command = "precepts.showOutput";
  context.subscriptions.push(output, status);

  context.subscriptions.push(
    vscode.commands.registerCommand("precepts.restart", () => restart()),
    vscode.commands.registerCommand("precepts.showOutput", () => output.show()),
    vscode.commands.registerCommand("precepts.fixAll", async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== "python") {
        void vscode.window.showInformationMessage("precepts: open a Python file to fix.");
        return false;
      }
      if (!client) {
        void vscode.window.showWarningMessage("precepts: the language server is not running.");
        return false;
      }
      return fixAll(editor.document);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      const changed = LAUNCH_SETTINGS.filter((key) => event.affectsConfiguration(key));
      if (changed.length) {
        output.info(`${changed.join(", ")} changed: restarting the server`);
        void restart();
      }
    }),
    { dispose: () => void stop() },
  );
  context.subscriptions.push(
    await onInterpreterChange(() => {
      const config = vscode.workspace.getConfiguration("precepts");
      if (!config.get<string>("path") && !config.get<string>("interpreter")) {
        void restart();
      }
    }),
  );

  await restart();
  return {
    get client() {
      return client;
    },
    get state() {
      return state;
    },
    get server() {
      return server;
    },
    ready: () => starting ?? Promise.resolve(),
  };
}

export async function deactivate(): Promise<void> {
  await stop();
}
