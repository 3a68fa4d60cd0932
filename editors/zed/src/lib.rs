//! The precepts extension for Zed: starts `precepts serve` for Python files.
//!
//! The server is `lsp.precepts.binary.path` (with `lsp.precepts.binary.arguments`, by
//! default `["serve"]`) from Zed's settings, else `precepts` found on the worktree's
//! PATH (Zed uses the project's shell environment, so an activated virtualenv or
//! direnv works). `lsp.precepts.settings` is sent as the "precepts" settings section.

use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId, Result};

const SERVER: &str = "precepts";

struct PreceptsExtension;

impl PreceptsExtension {
    fn settings(worktree: &zed::Worktree) -> serde_json::Value {
        LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.settings)
            .unwrap_or_else(|| serde_json::json!({}))
    }
}

impl zed::Extension for PreceptsExtension {
    fn new() -> Self {
        PreceptsExtension
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let args = binary
            .as_ref()
            .and_then(|binary| binary.arguments.clone())
            .unwrap_or_else(|| vec!["serve".to_string()]);
        if let Some(path) = binary.and_then(|binary| binary.path) {
            return Ok(zed::Command { command: path, args, env: worktree.shell_env() });
        }
        let path = worktree.which(SERVER).ok_or_else(|| {
            "precepts: no `precepts` executable on PATH. Install it into your project's \
             environment (pip install precepts), or set lsp.precepts.binary.path in Zed's \
             settings."
                .to_string()
        })?;
        Ok(zed::Command { command: path, args, env: worktree.shell_env() })
    }

    fn language_server_workspace_configuration(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(Some(serde_json::json!({ "precepts": Self::settings(worktree) })))
    }

    fn language_server_initialization_options(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(Some(serde_json::json!({ "settings": Self::settings(worktree) })))
    }
}

zed::register_extension!(PreceptsExtension);
