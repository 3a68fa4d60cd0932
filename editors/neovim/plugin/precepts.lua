-- User commands of the precepts plugin (`:help precepts-commands`). Loading this file
-- starts nothing: call vim.lsp.enable("precepts") (0.11+) or require("precepts").setup().
if vim.g.loaded_precepts then
  return
end
vim.g.loaded_precepts = true

vim.api.nvim_create_user_command("PreceptsFixAll", function()
  require("precepts").fix_all(0)
end, { desc = "precepts: apply every safe fix in the buffer (source.fixAll.precepts)" })

vim.api.nvim_create_user_command("PreceptsRestart", function()
  require("precepts").restart()
end, { desc = "precepts: restart the language server" })
