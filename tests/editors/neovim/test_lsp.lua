-- Headless Neovim test of the precepts plugin against the real `precepts serve`.
-- Runs unchanged on Neovim 0.7 and 0.11. Driven by tests/editors/test_neovim.py:
--
--   nvim --headless -u NONE -i NONE -n --cmd "set rtp^=editors/neovim" --cmd "filetype on"
--        -c "luafile tests/editors/neovim/test_lsp.lua"
--
-- Environment:
--   PRECEPTS_NVIM_MODE      setup  require("precepts").setup() (start_client on 0.7, native on 0.11)
--                           start  require("precepts").setup({ native = false }) (vim.lsp.start)
--                           enable only the shipped lsp/precepts.lua + vim.lsp.enable("precepts")
--   PRECEPTS_NVIM_SCENARIO  full (diagnostics, hover, quick fix, fix all, fix on save,
--                           BP804 and its quick fix on pyproject.toml)
--                           settings (ignore = {"BP105"} passed through the client's settings)
--   PRECEPTS_NVIM_WORKSPACE the sample project; PRECEPTS_NVIM_OUT the JSON report to write.
--
-- The script records what Neovim saw; the pytest side judges it. It exits 1 (cquit) when
-- a step fails or times out, after writing the report.

local mode = os.getenv("PRECEPTS_NVIM_MODE") or "setup"
local scenario = os.getenv("PRECEPTS_NVIM_SCENARIO") or "full"
local workspace = assert(os.getenv("PRECEPTS_NVIM_WORKSPACE"), "PRECEPTS_NVIM_WORKSPACE")
local out = assert(os.getenv("PRECEPTS_NVIM_OUT"), "PRECEPTS_NVIM_OUT")
local v = vim.version()
local report = {
  nvim = string.format("%d.%d.%d", v.major, v.minor, v.patch),
  mode = mode,
  scenario = scenario,
  steps = {},
}

-- Keep what the plugin tells the user.
report.notifications = {}
local original_notify = vim.notify
vim.notify = function(message, level, opts)
  table.insert(report.notifications, { message = message, level = level or vim.NIL })
  return original_notify(message, level, opts)
end

local client_wait = tonumber(os.getenv("PRECEPTS_NVIM_CLIENT_WAIT") or "") or 15000

local function write_report()
  vim.fn.writefile({ vim.json.encode(report) }, out)
end

local function record(step, data)
  data = data or {}
  report.steps[step] = data
  write_report()
end

local function fail(message)
  report.error = message
  write_report()
  io.stderr:write("FAIL " .. message .. "\n")
  vim.cmd("cquit 1")
end

local function wait_for(what, ms, predicate)
  if not vim.wait(ms, predicate, 20) then
    error("timed out after " .. ms .. " ms waiting for " .. what, 0)
  end
end

local function precepts_client(bufnr)
  local found
  if vim.lsp.get_clients then
    found = vim.lsp.get_clients({ bufnr = bufnr, name = "precepts" })[1]
  else
    for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if client.name == "precepts" then
        found = client
      end
    end
  end
  return found
end

-- Diagnostics as Neovim holds them, with the LSP fields rebuilt for codeAction.
local function diagnostics(bufnr)
  local result = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data and d.user_data.lsp) or {}
    local code = d.code or lsp.code
    table.insert(result, {
      code = code and tostring(code) or vim.NIL,
      source = d.source or vim.NIL,
      message = d.message,
      severity = ({ "error", "warning", "info", "hint" })[d.severity],
      range = { d.lnum, d.col, d.end_lnum, d.end_col },
      lsp = {
        range = {
          start = { line = d.lnum, character = d.col },
          ["end"] = { line = d.end_lnum, character = d.end_col },
        },
        severity = d.severity,
        message = d.message,
        source = d.source,
        code = code,
      },
    })
  end
  return result
end

local function codes(bufnr)
  local list = {}
  for _, d in ipairs(diagnostics(bufnr)) do
    if d.code ~= vim.NIL then
      table.insert(list, d.code)
    end
  end
  table.sort(list)
  return list
end

local function has(list, value)
  for _, item in ipairs(list) do
    if item == value then
      return true
    end
  end
  return false
end

local function public(list)
  local copy = {}
  for _, d in ipairs(list) do
    table.insert(copy, { code = d.code, source = d.source, message = d.message, severity = d.severity, range = d.range })
  end
  return copy
end

local function request(bufnr, client, method, params)
  local responses = vim.lsp.buf_request_sync(bufnr, method, params, 10000) or {}
  local response = responses[client.id]
  if not response then
    error("no answer to " .. method, 0)
  end
  if response.err or response.error then
    error(method .. " failed: " .. vim.inspect(response.err or response.error), 0)
  end
  return response.result
end

local function hover_text(result)
  if not result or result == vim.NIL then
    return ""
  end
  local contents = result.contents
  if type(contents) == "string" then
    return contents
  end
  if contents.value then
    return contents.value
  end
  local parts = {}
  for _, part in ipairs(contents) do
    table.insert(parts, type(part) == "string" and part or part.value)
  end
  return table.concat(parts, "\n")
end

local function floating_text()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= "" then
      local buf = vim.api.nvim_win_get_buf(win)
      return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
    end
  end
  return nil
end

local function open(name)
  vim.cmd("edit " .. vim.fn.fnameescape(workspace .. "/" .. name))
  local bufnr = vim.api.nvim_get_current_buf()
  wait_for("a precepts client on " .. name, client_wait, function()
    return precepts_client(bufnr) ~= nil
  end)
  return bufnr, precepts_client(bufnr)
end

-- Ask for the quick fixes of one diagnostic and let Neovim apply the preferred one (or
-- the first that is not a noqa comment). Returns the offered titles and the chosen one.
local function apply_quick_fix(buf, client, diagnostic)
  local actions = request(buf, client, "textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = diagnostic.lsp.range,
    context = { diagnostics = { diagnostic.lsp }, only = { "quickfix" } },
  }) or {}
  local titles, chosen = {}, nil
  for _, action in ipairs(actions) do
    table.insert(titles, { title = action.title, kind = action.kind or vim.NIL, preferred = action.isPreferred == true })
    if not chosen and (action.isPreferred or not (action.title or ""):lower():find("noqa")) then
      chosen = action
    end
  end
  for _, action in ipairs(actions) do
    if action.isPreferred then
      chosen = action
      break
    end
  end
  if not chosen then
    error("no quick fix offered for " .. tostring(diagnostic.code), 0)
  end
  if not chosen.edit and not chosen.command and chosen.data then
    chosen = request(buf, client, "codeAction/resolve", chosen)
  end
  if chosen.edit then
    vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding or "utf-16")
  end
  if type(chosen.command) == "table" then
    request(buf, client, "workspace/executeCommand", chosen.command)
  end
  return titles, chosen
end

local function find_code(list, code)
  for _, d in ipairs(list) do
    if d.code == code then
      return d
    end
  end
  return nil
end

local function configure(settings)
  vim.cmd("runtime plugin/precepts.lua")
  if mode == "enable" then
    if settings then
      vim.lsp.config("precepts", { settings = { precepts = settings } })
    end
    vim.lsp.enable("precepts")
  else
    require("precepts").setup({ native = mode ~= "start", settings = settings, fix_on_save = true })
  end
end

local function full()
  configure(nil)

  -- 1. Diagnostics from didOpen.
  local buf, client = open("sample.py")
  record("client", {
    name = client.name,
    cmd = type(client.config.cmd) == "table" and client.config.cmd or tostring(client.config.cmd),
    root_dir = client.config.root_dir,
  })
  wait_for("BP105 in sample.py", 20000, function()
    return has(codes(buf), "BP105")
  end)
  local found = diagnostics(buf)
  record("diagnostics", { diagnostics = public(found) })
  local bp105
  for _, d in ipairs(found) do
    if d.code == "BP105" then
      bp105 = d
    end
  end

  -- 2. Hover: the server's answer, and what Neovim's own hover shows in its float.
  local position = { line = bp105.range[1], character = bp105.range[2] + 1 }
  local hover = request(buf, client, "textDocument/hover", {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = position,
  })
  vim.api.nvim_win_set_cursor(0, { position.line + 1, position.character })
  vim.lsp.buf.hover()
  local shown
  pcall(wait_for, "the hover float", 5000, function()
    shown = floating_text()
    return shown ~= nil and shown ~= ""
  end)
  record("hover", { text = hover_text(hover), float = shown or vim.NIL })
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= "" then
      vim.api.nvim_win_close(win, true)
    end
  end

  -- 3. Quick fix: codeAction with the diagnostic in its context; Neovim applies the edit.
  local titles, chosen = apply_quick_fix(buf, client, bp105)
  pcall(wait_for, "BP105 to clear", 10000, function()
    return not has(codes(buf), "BP105")
  end)
  record("quickfix", {
    actions = titles,
    title = chosen.title,
    lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
    diagnostics = public(diagnostics(buf)),
  })
  vim.cmd("silent write")

  -- 4. :PreceptsFixAll (source.fixAll.precepts).
  local fixbuf = open("fixall.py")
  wait_for("three findings in fixall.py", 20000, function()
    return #codes(fixbuf) >= 3
  end)
  local before = public(diagnostics(fixbuf))
  vim.cmd("PreceptsFixAll")
  pcall(wait_for, "fixall.py to be clean", 10000, function()
    return #codes(fixbuf) == 0
  end)
  record("fix_all", {
    before = before,
    lines = vim.api.nvim_buf_get_lines(fixbuf, 0, -1, false),
    diagnostics = public(diagnostics(fixbuf)),
  })
  vim.cmd("silent write")

  -- 5. fix_on_save (setup() only): :write applies the fixes before saving.
  if mode ~= "enable" then
    local savebuf = open("onsave.py")
    wait_for("findings in onsave.py", 20000, function()
      return #codes(savebuf) > 0
    end)
    local before_save = public(diagnostics(savebuf))
    vim.cmd("silent write")
    record("save", {
      before = before_save,
      disk = vim.fn.readfile(workspace .. "/onsave.py"),
    })
  end

  -- 6. pyproject.toml (filetype toml) attaches: BP804 reports the missing coverage
  -- settings and its quick fix adds them. Another toml file does not attach.
  vim.fn.writefile({ "[tool.other]", "x = 1" }, workspace .. "/other.toml")
  vim.cmd("edit " .. vim.fn.fnameescape(workspace .. "/other.toml"))
  local other = vim.api.nvim_get_current_buf()
  vim.wait(500)
  local other_attached = precepts_client(other) ~= nil
  local tomlbuf, tomlclient = open("pyproject.toml")
  wait_for("BP804 in pyproject.toml", 20000, function()
    return has(codes(tomlbuf), "BP804")
  end)
  local before_coverage = public(diagnostics(tomlbuf))
  local coverage_titles, coverage_fix = apply_quick_fix(tomlbuf, tomlclient, find_code(diagnostics(tomlbuf), "BP804"))
  pcall(wait_for, "BP804 to clear", 10000, function()
    return not has(codes(tomlbuf), "BP804")
  end)
  record("pyproject", {
    filetype = vim.bo[tomlbuf].filetype,
    other_filetype = vim.bo[other].filetype,
    other_attached = other_attached,
    before = before_coverage,
    actions = coverage_titles,
    title = coverage_fix.title,
    lines = vim.api.nvim_buf_get_lines(tomlbuf, 0, -1, false),
    diagnostics = public(diagnostics(tomlbuf)),
  })

  -- One server for the project, however many of its files are open.
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ name = "precepts" }) or vim.lsp.get_active_clients()
  record("clients", { count = #all })
end

local function settings()
  configure({ ignore = { "BP105" } })
  local buf = open("ignored.py")
  wait_for("findings in ignored.py", 20000, function()
    return #codes(buf) > 0
  end)
  -- Give a late settings update time to land, then take what is there.
  pcall(wait_for, "BP105 to be ignored", 5000, function()
    return not has(codes(buf), "BP105")
  end)
  vim.wait(300)
  record("settings", { diagnostics = public(diagnostics(buf)) })
end

vim.o.hidden = true
vim.o.swapfile = false
local ok, problem = pcall(scenario == "settings" and settings or full)
if not ok then
  fail(tostring(problem))
else
  report.done = true
  write_report()
  vim.cmd("qa!")
end
