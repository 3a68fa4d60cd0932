// Finding the precepts language server: which program to run, and why that one.
//
// Order: the `precepts.path` setting, the `precepts.interpreter` setting, the
// interpreter selected in the Python extension (when it is installed and that
// interpreter has precepts), then `precepts` on PATH.

import { execFile } from "node:child_process";
import { constants as fsConstants, promises as fs } from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";

/** How to start the server, and where that came from (shown in the output channel). */
export interface ServerCommand {
  command: string;
  args: string[];
  source: string;
}

/** Why no server could be found: a message for the user, and the setting to fix. */
export class ServerNotFound extends Error {
  constructor(
    message: string,
    readonly setting: string,
  ) {
    super(message);
  }
}

/** The part of the Python extension's public API that we use (ms-python.python). */
interface PythonEnvironmentsApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(
      environment: { id: string; path: string } | string,
    ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

const PYTHON_EXTENSION = "ms-python.python";

async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) {
      return false;
    }
    await fs.access(file, process.platform === "win32" ? fsConstants.F_OK : fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Expands `~` and `${workspaceFolder}` in a path setting. */
export function expandPath(value: string, folder?: vscode.WorkspaceFolder): string {
  let result = value.trim();
  if (result.startsWith("~")) {
    result = path.join(process.env.HOME ?? process.env.USERPROFILE ?? "", result.slice(1));
  }
  const root = folder ?? vscode.workspace.workspaceFolders?.[0];
  if (root) {
    result = result.replace(/\$\{workspaceFolder\}/g, root.uri.fsPath);
  }
  if (!path.isAbsolute(result) && root && result.includes(path.sep)) {
    result = path.join(root.uri.fsPath, result);
  }
  return result;
}

/** Resolves once `python -c "import precepts"` has run; true when it exited 0. */
export function pythonHasPrecepts(python: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ["-c", "import precepts"], { timeout: 15000 }, (error) => resolve(!error));
  });
}

/** Looks a program up on PATH the way a shell would. */
export async function which(program: string): Promise<string | undefined> {
  const names =
    process.platform === "win32"
      ? (process.env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").map((ext) => program + ext.toLowerCase())
      : [program];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (await isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** The Python extension's API, when that extension is installed (activating it if needed). */
export async function pythonApi(): Promise<PythonEnvironmentsApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonEnvironmentsApi>(PYTHON_EXTENSION);
  if (!extension) {
    return undefined;
  }
  try {
    return extension.isActive ? extension.exports : await extension.activate();
  } catch {
    return undefined;
  }
}

/** The interpreter selected in the Python extension for `resource`, if any. */
async function selectedInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const environments = (await pythonApi())?.environments;
  if (!environments) {
    return undefined;
  }
  try {
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch {
    return undefined;
  }
}

/**
 * Decides how to start the server.
 *
 * @param log - Receives one line per candidate tried.
 * @throws ServerNotFound when no candidate works.
 */
export async function locateServer(log: (line: string) => void): Promise<ServerCommand> {
  const config = vscode.workspace.getConfiguration("precepts");
  const folder = vscode.workspace.workspaceFolders?.[0];

  const explicitPath = config.get<string>("path", "").trim();
  if (explicitPath) {
    const file = expandPath(explicitPath, folder);
    if (await isExecutable(file)) {
      return { command: file, args: ["serve"], source: "the precepts.path setting" };
    }
    throw new ServerNotFound(
      `precepts: the "precepts.path" setting names ${file}, which is not an executable file.`,
      "precepts.path",
    );
  }

  const explicitPython = config.get<string>("interpreter", "").trim();
  if (explicitPython) {
    const python = expandPath(explicitPython, folder);
    if ((await isExecutable(python)) && (await pythonHasPrecepts(python))) {
      return {
        command: python,
        args: ["-m", "precepts", "serve"],
        source: "the precepts.interpreter setting",
      };
    }
    throw new ServerNotFound(
      `precepts: the "precepts.interpreter" setting names ${python}, which cannot import precepts. ` +
        `Run "${python} -m pip install precepts", or fix the setting.`,
      "precepts.interpreter",
    );
  }

  const selected = await selectedInterpreter(folder?.uri);
  if (selected) {
    if (await pythonHasPrecepts(selected)) {
      return {
        command: selected,
        args: ["-m", "precepts", "serve"],
        source: "the interpreter selected in the Python extension",
      };
    }
    log(`The interpreter selected in the Python extension (${selected}) cannot import precepts.`);
  }

  const onPath = await which("precepts");
  if (onPath) {
    return { command: onPath, args: ["serve"], source: "PATH" };
  }

  throw new ServerNotFound(
    "precepts: no language server found. Install precepts into your project's Python " +
      "environment (pip install precepts), or set \"precepts.path\" to a precepts executable " +
      'or "precepts.interpreter" to a Python that has it.',
    "precepts.interpreter",
  );
}

/** Fires when the Python extension's selected interpreter changes (no-op without it). */
export async function onInterpreterChange(listener: () => void): Promise<vscode.Disposable> {
  const environments = (await pythonApi())?.environments;
  if (!environments?.onDidChangeActiveEnvironmentPath) {
    return new vscode.Disposable(() => undefined);
  }
  return environments.onDidChangeActiveEnvironmentPath(listener);
}
