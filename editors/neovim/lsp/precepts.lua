-- precepts language server for Neovim 0.11+ (`:help lsp-config`, `:help precepts`).
--
-- Put this directory on 'runtimepath' (or install it with a plugin manager), then:
--
--     vim.lsp.enable("precepts")
--
-- The server is `precepts serve`, with `precepts` taken from $VIRTUAL_ENV, the project's
-- .venv or venv, or PATH. Override anything with vim.lsp.config("precepts", { ... }),
-- for example the settings sent to the server (`:help precepts-settings`):
--
--     vim.lsp.config("precepts", { settings = { precepts = { ignore = { "BP104" } } } })
--     vim.lsp.config("precepts", { cmd = { "/path/to/precepts", "serve" } })
return {
  cmd = function(dispatchers, config)
    return require("precepts").cmd_function(dispatchers, config)
  end,
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "precepts.toml", "setup.cfg", "setup.py", ".git" },
  settings = { precepts = vim.empty_dict() },
}
