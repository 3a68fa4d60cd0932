-- precepts: your team's coding standard in Neovim, through the precepts language server.
--
-- Neovim 0.11+:  vim.lsp.enable("precepts")        (uses lsp/precepts.lua; no setup needed)
-- Neovim 0.7+:   require("precepts").setup({ ... }) (see `:help precepts`)
--
-- setup() uses vim.lsp.config/vim.lsp.enable where they exist (0.11+), vim.lsp.start on
-- 0.8–0.10, and vim.lsp.start_client with one client per project root on 0.7.

local M = {}

M.name = "precepts"

--- Defaults of setup(); every key can be passed to setup().
M.defaults = {
  -- The server command; nil finds `precepts` in $VIRTUAL_ENV, the project's .venv/venv,
  -- then on PATH, and runs `precepts serve`.
  cmd = nil,
  -- Python buffers, and the project files whose coverage settings BP804 reads
  -- (pyproject.toml is "toml", setup.cfg and .coveragerc "dosini"): buffers of those
  -- filetypes attach only when they are one of M.config_files.
  filetypes = { "python", "toml", "dosini", "cfg" },
  root_markers = { "pyproject.toml", "precepts.toml", "setup.cfg", "setup.py", ".git" },
  -- Sent to the server as the "precepts" settings section (`:help precepts-settings`):
  -- select, ignore, severity, unsafeFixes, debounce, configPath.
  settings = {},
  -- Apply the server's safe fixes (source.fixAll.precepts) before each write.
  fix_on_save = false,
  on_attach = nil,
  capabilities = nil,
  -- On 0.11+, register with vim.lsp.config/vim.lsp.enable (false: use vim.lsp.start).
  native = true,
}

M.options = vim.deepcopy(M.defaults)

local uv = vim.uv or vim.loop
local FIX_ALL = "source.fixAll.precepts"

--- The files besides Python modules that the server checks, by name.
M.config_files = { "pyproject.toml", "setup.cfg", ".coveragerc" }
-- Filetypes that hold more than precepts' files: their buffers attach by name only.
local CONFIG_FILETYPES = { toml = true, dosini = true, cfg = true, confini = true }

local function is_executable(path)
  return path ~= nil and path ~= "" and vim.fn.executable(path) == 1
end

local function notify(message, level)
  vim.schedule(function()
    vim.notify("precepts: " .. message, level or vim.log.levels.INFO)
  end)
end

--- The project root of a file: the nearest directory with one of the root markers.
---@param path string a file or directory
---@param markers string[]|nil
---@return string
function M.find_root(path, markers)
  markers = markers or M.options.root_markers
  local dir = vim.fn.fnamemodify(path, ":p")
  if vim.fn.isdirectory(dir) == 0 then
    dir = vim.fn.fnamemodify(dir, ":h")
  end
  dir = dir:gsub("/$", "")
  local start = dir
  while dir ~= "" do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return start
end

--- Whether precepts serves a buffer: its filetype is one of the configured filetypes,
--- and a buffer of a configuration filetype is one of M.config_files.
---@param bufnr integer|nil
---@return boolean
function M.attaches(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local filetype = vim.bo[bufnr].filetype
  if not vim.tbl_contains(M.options.filetypes, filetype) then
    return false
  end
  if not CONFIG_FILETYPES[filetype] then
    return true
  end
  local basename = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ":t")
  return vim.tbl_contains(M.config_files, basename)
end

--- A `root_dir` function for vim.lsp.config (0.11+): the project root of a buffer that
--- precepts serves; other buffers (a toml file that is not pyproject.toml) get none, so
--- the client does not attach.
function M.root_dir(bufnr, on_dir)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name ~= "" and vim.bo[bufnr].buftype == "" and M.attaches(bufnr) then
    on_dir(M.find_root(name))
  end
end

--- The command that starts the server for a project root.
---@param root string|nil
---@return string[]|nil cmd, string|nil problem
function M.server_cmd(root)
  if M.options.cmd then
    return M.options.cmd
  end
  local candidates = {}
  if vim.env.VIRTUAL_ENV then
    table.insert(candidates, vim.env.VIRTUAL_ENV .. "/bin/precepts")
  end
  if root then
    table.insert(candidates, root .. "/.venv/bin/precepts")
    table.insert(candidates, root .. "/venv/bin/precepts")
  end
  for _, candidate in ipairs(candidates) do
    if is_executable(candidate) then
      return { candidate, "serve" }
    end
  end
  if is_executable("precepts") then
    return { "precepts", "serve" }
  end
  return nil,
    "no `precepts` executable found in $VIRTUAL_ENV, the project's .venv or on PATH. "
      .. "Install it into your project's environment (pip install precepts), "
      .. "or pass cmd = { '/path/to/precepts', 'serve' } to require('precepts').setup()."
end

--- A `cmd` function for vim.lsp.config (0.11+): finds the server per project root.
function M.cmd_function(dispatchers, config)
  local root = config and config.root_dir or vim.fn.getcwd()
  local cmd, problem = M.server_cmd(root)
  if not cmd then
    notify(problem, vim.log.levels.ERROR)
    cmd = { "precepts", "serve" }
  end
  return vim.lsp.rpc.start(cmd, dispatchers, { cwd = root })
end

--- The precepts clients attached to a buffer (any Neovim from 0.7).
---@param bufnr integer|nil
function M.clients(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local found = {}
  if vim.lsp.get_clients then
    found = vim.lsp.get_clients({ bufnr = bufnr, name = M.name })
  else
    for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if client.name == M.name then
        table.insert(found, client)
      end
    end
  end
  return found
end

local function settings_of(options)
  local settings = options.settings
  if settings == nil or next(settings) == nil then
    settings = vim.empty_dict()
  end
  return settings
end

local function client_config(options, root)
  local settings = settings_of(options)
  return {
    name = M.name,
    root_dir = root,
    settings = { precepts = settings },
    init_options = { settings = settings },
    on_attach = options.on_attach,
    capabilities = options.capabilities,
  }
end

-- 0.7: one client per root, started with start_client and attached by hand.
local clients_by_root = {}

--- Start (or reuse) the server for a buffer and attach it.
---@param bufnr integer|nil
---@return integer|nil client id
function M.start(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or vim.bo[bufnr].buftype ~= "" or not M.attaches(bufnr) then
    return nil
  end
  local root = M.find_root(name)
  local cmd, problem = M.server_cmd(root)
  if not cmd then
    notify(problem, vim.log.levels.ERROR)
    return nil
  end
  local config = client_config(M.options, root)
  config.cmd = cmd
  config.cmd_cwd = root
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or (client.is_stopped and client.is_stopped()) then
    config.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
    id = vim.lsp.start_client(config)
    clients_by_root[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

local function request_sync(bufnr, client, method, params, timeout)
  local responses = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  local response = responses and responses[client.id]
  if not response then
    return nil, "no answer from the server"
  end
  return response.result, response.err or response.error
end

--- Apply the server's source.fixAll.precepts action to a buffer.
---@param bufnr integer|nil
---@param opts table|nil { timeout = ms, silent = bool }
---@return boolean changed
function M.fix_all(bufnr, opts)
  opts = opts or {}
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.clients(bufnr)[1]
  if not client then
    if not opts.silent then
      notify("no precepts server is attached to this buffer", vim.log.levels.WARN)
    end
    return false
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = {
      start = { line = 0, character = 0 },
      ["end"] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 },
    },
    context = { diagnostics = {}, only = { FIX_ALL } },
  }
  local actions, err = request_sync(bufnr, client, "textDocument/codeAction", params, opts.timeout or 5000)
  if err then
    notify("fix all failed: " .. vim.inspect(err), vim.log.levels.ERROR)
    return false
  end
  local changed = false
  for _, action in ipairs(actions or {}) do
    if action.kind == FIX_ALL or (action.kind or ""):find("^" .. vim.pesc(FIX_ALL) .. "%.") then
      if not action.edit and not action.command and action.data then
        action = request_sync(bufnr, client, "codeAction/resolve", action, opts.timeout or 5000) or action
      end
      if action.edit then
        vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
        changed = true
      end
      local command = type(action.command) == "table" and action.command or nil
      if command then
        request_sync(bufnr, client, "workspace/executeCommand", command, opts.timeout or 5000)
        changed = true
      end
    end
  end
  if not changed and not opts.silent then
    notify("nothing to fix")
  end
  return changed
end

--- Stop the precepts clients and start them again for every buffer they served.
function M.restart()
  local buffers, ids = {}, {}
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    for _, client in ipairs(M.clients(bufnr)) do
      buffers[bufnr] = true
      ids[client.id] = true
    end
  end
  for id in pairs(ids) do
    vim.lsp.stop_client(id)
  end
  clients_by_root = {}
  vim.defer_fn(function()
    for bufnr in pairs(buffers) do
      if vim.api.nvim_buf_is_valid(bufnr) then
        vim.api.nvim_exec_autocmds("FileType", { buffer = bufnr })
      end
    end
  end, 500)
end

local function native_available()
  return vim.lsp.config ~= nil and vim.lsp.enable ~= nil
end

--- Configure and start precepts for Python buffers and the project's configuration files.
---@param opts table|nil see M.defaults
function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  local options = M.options
  local group = vim.api.nvim_create_augroup("precepts", { clear = true })

  if options.native and native_available() then
    local config = client_config(options, nil)
    config.root_dir = nil
    config.name = nil
    config.filetypes = options.filetypes
    config.root_dir = M.root_dir
    config.cmd = options.cmd or M.cmd_function
    vim.lsp.config(M.name, config)
    vim.lsp.enable(M.name)
  else
    vim.api.nvim_create_autocmd("FileType", {
      group = group,
      pattern = options.filetypes,
      callback = function(event)
        M.start(event.buf)
      end,
    })
    -- Buffers already open when setup() runs.
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr) and M.attaches(bufnr) then
        M.start(bufnr)
      end
    end
  end

  if options.fix_on_save then
    vim.api.nvim_create_autocmd("BufWritePre", {
      group = group,
      pattern = "*",
      callback = function(event)
        -- Python files only: a configuration file's fix (BP804 adds coverage settings)
        -- changes project policy, so it is offered as a quick fix, never applied on write.
        if M.attaches(event.buf) and not CONFIG_FILETYPES[vim.bo[event.buf].filetype] then
          M.fix_all(event.buf, { silent = true, timeout = 2000 })
        end
      end,
    })
  end
end

return M
