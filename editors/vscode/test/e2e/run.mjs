// Drives a real VS Code (code-server) in Debian's Chromium for the precepts end-to-end test.
//
// usage: node run.mjs CONFIG.json
// CONFIG: {
//   codeServer: path to the code-server launcher,
//   vsix: [paths of .vsix files to install],
//   userDataDir, extensionsDir, workspace, out (JSONL written by the glue extension),
//   signals (folder for driver→glue signals), artifacts (folder for screenshots),
//   mode: "full" | "startup", expectNotification, port, chromium (default /usr/bin/chromium),
//   env: {extra environment for code-server}, timeoutMs, summary (path of the JSON summary)
// }
// It installs the extensions into a fresh profile, starts code-server on 127.0.0.1,
// opens the workspace in Chromium (the extension host starts only when a workbench
// connects), follows the glue's JSONL, reads the hover and notifications from the DOM,
// takes screenshots, and writes a summary. Exit status: 0 when the glue reached "done"
// (what it saw is judged by pytest), 1 otherwise.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const timeoutMs = config.timeoutMs ?? 120000;
const started = Date.now();
const summary = { ui: {}, screenshots: [], log: [] };
const log = (line) => {
  summary.log.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${line}`);
  console.error(`[e2e] ${line}`);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function readEvents() {
  if (!fs.existsSync(config.out)) {
    return [];
  }
  return fs
    .readFileSync(config.out, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

function env() {
  return {
    ...process.env,
    ...config.env,
    // Keep VS Code from replacing this environment (PATH above all) with a login
    // shell's, so that the test decides what the extension host sees.
    VSCODE_CLI: "1",
    XDG_CONFIG_HOME: path.join(config.userDataDir, "xdg-config"),
    XDG_DATA_HOME: path.join(config.userDataDir, "xdg-data"),
    PRECEPTS_E2E_OUT: config.out,
    PRECEPTS_E2E_SIGNALS: config.signals,
    PRECEPTS_E2E_MODE: config.mode,
    PRECEPTS_E2E_WORKSPACE: config.workspace,
  };
}

async function screenshot(page, name) {
  const file = path.join(config.artifacts, name);
  await page.screenshot({ path: file });
  summary.screenshots.push(file);
  log(`screenshot ${file}`);
}

async function main() {
  fs.mkdirSync(config.signals, { recursive: true });
  fs.mkdirSync(config.artifacts, { recursive: true });
  const common = ["--user-data-dir", config.userDataDir, "--extensions-dir", config.extensionsDir];

  const install = spawnSync(
    config.codeServer,
    [...common, ...config.vsix.flatMap((file) => ["--install-extension", file])],
    { env: env(), encoding: "utf8", timeout: 60000 },
  );
  log(`install-extension exit ${install.status}: ${(install.stdout + install.stderr).trim()}`);
  if (install.status !== 0) {
    throw new Error("installing the extensions failed");
  }

  const server = spawn(
    config.codeServer,
    [
      ...common,
      "--bind-addr",
      `127.0.0.1:${config.port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      config.workspace,
    ],
    { env: env(), stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let serverOutput = "";
  server.stdout.on("data", (chunk) => (serverOutput += chunk));
  server.stderr.on("data", (chunk) => (serverOutput += chunk));
  let browser;
  try {
    const deadline = Date.now() + 30000;
    while (!/HTTP server listening/.test(serverOutput)) {
      if (Date.now() > deadline || server.exitCode !== null) {
        throw new Error(`code-server did not start:\n${serverOutput}`);
      }
      await sleep(100);
    }
    log("code-server listening");

    browser = await chromium.launch({
      executablePath: config.chromium ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    // A tall window: VS Code lets a hover grow to a quarter of the editor's height, and
    // the README's picture should show the rule with both its ❌ and ✅ examples.
    const page = await browser.newPage({ viewport: { width: 1280, height: config.mode === "full" ? 1900 : 800 } });
    await page.goto(`http://127.0.0.1:${config.port}/?folder=${encodeURIComponent(config.workspace)}`);
    log("workbench loading");

    const handled = new Set();
    for (;;) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(`timed out after ${timeoutMs} ms`);
      }
      const events = readEvents();
      const steps = new Set(events.map((event) => event.step));
      if (steps.has("ui-hover-ready") && !handled.has("hover")) {
        handled.add("hover");
        const hover = page.locator(".monaco-hover:visible").first();
        try {
          await hover.waitFor({ state: "visible", timeout: 15000 });
          await sleep(500);
          summary.ui.hover = await hover.innerText();
          await screenshot(page, "vscode-hover-top.png");
          // The editor part alone, for the extension's README (editors/vscode/media/hover.png).
          const editor = await page.locator(".editor-group-container").first().boundingBox();
          const box = await hover.boundingBox();
          if (editor && box) {
            const file = path.join(config.artifacts, "vscode-hover-editor.png");
            const bottom = Math.min(editor.y + editor.height, box.y + box.height + 16);
            await page.screenshot({
              path: file,
              clip: { x: editor.x, y: editor.y, width: editor.width, height: bottom - editor.y },
            });
            summary.screenshots.push(file);
          }
          // Scroll the hover to the rule's ❌/✅ examples for the picture in the README.
          await hover.evaluate((element) => {
            const scrollable = element.querySelector(".monaco-scrollable-element > *:first-child");
            const examples = [...element.querySelectorAll("p, h1, h2, h3, h4")].find((node) =>
              /❌|✅/.test(node.textContent || ""),
            );
            if (scrollable && examples) {
              scrollable.scrollTop = Math.max(0, examples.offsetTop - 8);
            }
          });
          await sleep(300);
        } catch (error) {
          summary.ui.hover = null;
          log(`no hover widget in the DOM: ${error}`);
        }
        await screenshot(page, "vscode-hover.png");
        fs.writeFileSync(path.join(config.signals, "hover-captured"), "");
      }
      if (steps.has("ui-output-ready") && !handled.has("output")) {
        handled.add("output");
        const output = page.locator(".part.panel .monaco-editor .view-lines").first();
        try {
          await output.waitFor({ state: "visible", timeout: 15000 });
          await sleep(500);
          summary.ui.output = await output.innerText();
        } catch (error) {
          summary.ui.output = null;
          log(`no output panel in the DOM: ${error}`);
        }
        await screenshot(page, "vscode-output.png");
        fs.writeFileSync(path.join(config.signals, "output-captured"), "");
      }
      if (steps.has("done") || steps.has("error")) {
        break;
      }
      await sleep(100);
    }

    if (config.mode === "startup" && config.expectNotification) {
      const toast = page.locator(".notifications-toasts .notification-toast").filter({ hasText: "precepts" }).first();
      try {
        await toast.waitFor({ state: "visible", timeout: 15000 });
        summary.ui.notification = await toast.innerText();
        summary.ui.buttons = await toast.locator(".monaco-button").allInnerTexts();
        await screenshot(page, `vscode-${config.tag}.png`);
        await toast.locator(".monaco-button", { hasText: "Open Settings" }).first().click();
        const search = page.locator(".settings-editor .suggest-input-container .view-lines").first();
        await search.waitFor({ state: "visible", timeout: 15000 });
        await sleep(500);
        summary.ui.settingsSearch = await search.innerText();
        summary.ui.settingsTarget = await page.evaluate(() => {
          const tabs = document.querySelectorAll(".settings-editor .settings-tabs-widget .action-label");
          const checked = [...tabs].find(
            (tab) => tab.classList.contains("checked") || tab.getAttribute("aria-checked") === "true",
          );
          return checked ? checked.textContent : null;
        });
        summary.ui.settingsBody = await page.locator(".settings-editor .settings-body").first().innerText();
        await screenshot(page, `vscode-${config.tag}-settings.png`);
      } catch (error) {
        log(`notification: ${error}`);
      }
    }

    const status = page.locator(".statusbar-item", { hasText: "precepts" }).first();
    summary.ui.statusBar = (await status.count()) ? (await status.innerText()).trim() : null;
    summary.ui.statusBarTooltip = (await status.count()) ? await status.getAttribute("aria-label") : null;
    await screenshot(page, `vscode-${config.tag ?? config.mode}-final.png`);
  } finally {
    summary.events = readEvents();
    summary.codeServerOutput = serverOutput.slice(-20000);
    if (browser) {
      await browser.close().catch(() => undefined);
    }
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      // already gone
    }
    fs.writeFileSync(config.summary, JSON.stringify(summary, null, 2));
  }
  const steps = summary.events.map((event) => event.step);
  return steps.includes("done") ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[e2e] ${error && error.stack ? error.stack : error}`);
    try {
      summary.error = String(error);
      fs.writeFileSync(config.summary, JSON.stringify(summary, null, 2));
    } catch {
      // nothing more to do
    }
    process.exit(1);
  },
);
