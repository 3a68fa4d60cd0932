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
  -- Python, and pyproject.toml/setup.cfg/.coveragerc (BP804): root_dir declines other
  -- buffers of these filetypes, and finds the project root by the markers of
  -- require("precepts").defaults.root_markers.
  filetypes = { "python", "toml", "dosini", "cfg" },
  root_dir = function(bufnr, on_dir)
    require("precepts").root_dir(bufnr, on_dir)
  end,
  settings = { precepts = vim.empty_dict() },
}
