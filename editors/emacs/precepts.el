;;; precepts.el --- The precepts language server with Eglot  -*- lexical-binding: t; -*-

;; Copyright (C) 2025 precepts developers
;; SPDX-License-Identifier: MIT
;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))
;; Keywords: languages, tools, python
;; URL: https://github.com/precepts-dev/precepts

;;; Commentary:

;; Connects Eglot to `precepts serve', which checks Python code against your
;; team's coding standard: diagnostics (through Flymake), hover with the rule's
;; ✅/❌ examples, and quick fixes.
;;
;; Setup (Eglot is built into Emacs 29+; on Emacs 27–28 install it from ELPA):
;;
;;   (add-to-list 'load-path "/path/to/precepts/editors/emacs")
;;   (require 'precepts)
;;   (precepts-eglot-setup)                 ; register precepts for python-mode
;;   (add-hook 'python-mode-hook #'eglot-ensure)
;;
;; Eglot runs one server per major mode and project: this replaces another Python
;; server (pylsp, pyright) in Eglot for the modes in `precepts-major-modes'.
;;
;; Settings sent to the server come from `precepts-settings', for example
;;
;;   (setq precepts-settings '(:ignore ["BP104"] :unsafeFixes t))
;;
;; or, per project, a .dir-locals.el with `eglot-workspace-configuration'
;; containing a :precepts section.  M-x precepts-fix-all applies every safe fix
;; in the buffer (the server's source.fixAll.precepts code action).

;;; Code:

(require 'cl-lib)
(require 'seq)
(require 'subr-x)
(require 'eglot)
(require 'project)

(defgroup precepts nil
  "The precepts coding-standard language server."
  :group 'tools
  :prefix "precepts-")

(defcustom precepts-command nil
  "Command that starts the server, as a list of strings.
nil finds `precepts' in $VIRTUAL_ENV, the project's .venv or venv, then
on `exec-path', and runs \"precepts serve\"."
  :type '(choice (const :tag "Find precepts" nil) (repeat string)))

(defcustom precepts-major-modes '(python-mode python-ts-mode)
  "Major modes served by precepts."
  :type '(repeat symbol))

(defcustom precepts-settings nil
  "Plist sent to the server as the \"precepts\" settings section.
Keys: :select, :ignore (vectors of rule codes), :severity (plist of
code and \"error\"|\"warning\"|\"info\"|\"hint\"), :unsafeFixes (t or
:json-false), :debounce (milliseconds), :configPath (string)."
  :type 'plist)

(defun precepts--candidates (root)
  "Executables to try for the project at ROOT, in order."
  (delq nil
        (list (let ((venv (getenv "VIRTUAL_ENV")))
                (and venv (not (string-empty-p venv))
                     (expand-file-name "bin/precepts" venv)))
              (and root (expand-file-name ".venv/bin/precepts" root))
              (and root (expand-file-name "venv/bin/precepts" root)))))

(defun precepts-server-command (&optional root)
  "The command that starts the server for the project at ROOT."
  (or precepts-command
      (let ((found (or (seq-find #'file-executable-p (precepts--candidates root))
                       (executable-find "precepts"))))
        (if found
            (list found "serve")
          (user-error "precepts: no `precepts' executable found in $VIRTUAL_ENV, %s"
                      "the project's .venv or on PATH; install it into your project's environment (pip install precepts), or set `precepts-command'")))))

(defun precepts-project-root ()
  "The current project's root: project.el's, else the nearest pyproject.toml's."
  (let ((project (project-current)))
    (or (and project (project-root project))
        (locate-dominating-file default-directory "pyproject.toml")
        (locate-dominating-file default-directory "precepts.toml")
        default-directory)))

(defun precepts--contact (_interactive)
  "Eglot contact function: the server command for the current project."
  (precepts-server-command (precepts-project-root)))

;; The configuration that was in place before `precepts-eglot-setup'.
(defvar precepts--previous-configuration nil)

(defun precepts--workspace-configuration (server)
  "Workspace configuration for SERVER: the previous one plus a :precepts section."
  (let* ((base (if (functionp precepts--previous-configuration)
                   (funcall precepts--previous-configuration server)
                 precepts--previous-configuration))
         (plist (if (and base (consp (car base)))
                    ;; An alist ((SECTION . VALUE) ...): turn it into a plist.
                    (cl-loop for (section . value) in base
                             collect (if (keywordp section) section
                                       (intern (format ":%s" section)))
                             collect value)
                  (copy-sequence base))))
    (if (plist-member plist :precepts)
        plist
      (plist-put plist :precepts (or precepts-settings (make-hash-table))))))

;;;###autoload
(defun precepts-eglot-setup ()
  "Register precepts as the Eglot server of `precepts-major-modes'.
Also make `eglot-workspace-configuration' (its default value) carry
`precepts-settings' as the \"precepts\" section.  A project's own
directory-local `eglot-workspace-configuration' replaces it: give that one
a :precepts section."
  (interactive)
  (add-to-list 'eglot-server-programs
               (cons precepts-major-modes #'precepts--contact))
  (unless (eq (default-value 'eglot-workspace-configuration)
              #'precepts--workspace-configuration)
    (setq precepts--previous-configuration
          (default-value 'eglot-workspace-configuration))
    (setq-default eglot-workspace-configuration
                  #'precepts--workspace-configuration)))

;;;###autoload
(defun precepts-fix-all ()
  "Apply every safe fix precepts offers for the buffer (source.fixAll.precepts)."
  (interactive)
  (eglot-code-actions (point-min) (point-max) "source.fixAll.precepts" t))

(provide 'precepts)
;;; precepts.el ends here
