;;; test_eglot.el --- Headless Emacs + Eglot test of editors/emacs/precepts.el  -*- lexical-binding: t; -*-

;; Run by tests/editors/test_emacs.py as
;;   emacs --batch -q -l tests/editors/emacs/test_eglot.el
;; (-q, not -Q: -Q drops site-lisp, where Debian's elpa-eglot lives).
;; Environment: PRECEPTS_EMACS_DIR (editors/emacs), PRECEPTS_EMACS_WORKSPACE (the
;; sample project), PRECEPTS_EMACS_OUT (the JSON report), PRECEPTS_EMACS_SCENARIO
;; (full | settings).  The script records what Emacs saw; pytest judges it.  It exits
;; 1 when a step fails or times out, after writing the report.
;; Names with a double dash are Eglot internals (checked with Eglot 1.9); they are
;; only used where Emacs offers no public way to do the same in batch mode.

;;; Code:

(require 'package)
(package-initialize)
(require 'cl-lib)
(require 'json)
(add-to-list 'load-path (getenv "PRECEPTS_EMACS_DIR"))
(require 'precepts)

(defvar precepts-test-report (list (cons 'emacs emacs-version)))
(defvar precepts-test-workspace (getenv "PRECEPTS_EMACS_WORKSPACE"))
(defvar precepts-test-scenario (or (getenv "PRECEPTS_EMACS_SCENARIO") "full"))

(defun precepts-test-record (step value)
  "Record VALUE under STEP and rewrite the report."
  (setq precepts-test-report
        (append (assq-delete-all step precepts-test-report) (list (cons step value))))
  (with-temp-file (getenv "PRECEPTS_EMACS_OUT")
    (insert (json-encode precepts-test-report))))

(defun precepts-test-wait (what seconds predicate)
  "Process events until PREDICATE is non-nil; signal an error naming WHAT after SECONDS."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or value (error "Timed out after %ss waiting for %s" seconds what))))

(defun precepts-test-diagnostics ()
  "The buffer's Flymake diagnostics as a vector of alists (code, text, type, line, column)."
  (flymake-start)
  (cl-map 'vector
          (lambda (diag)
            (let* ((lsp (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data diag))))
                   (beg (flymake-diagnostic-beg diag)))
              `((code . ,(let ((code (plist-get lsp :code))) (and code (format "%s" code))))
                (source . ,(plist-get lsp :source))
                (text . ,(flymake-diagnostic-text diag))
                (type . ,(format "%s" (flymake-diagnostic-type diag)))
                (line . ,(1- (line-number-at-pos beg)))
                (column . ,(save-excursion (goto-char beg) (current-column))))))
          (flymake-diagnostics)))

(defun precepts-test-codes ()
  "Sorted codes of the buffer's diagnostics."
  (sort (delq nil (mapcar (lambda (d) (cdr (assq 'code d)))
                          (append (precepts-test-diagnostics) nil)))
        #'string<))

(defun precepts-test-open (name)
  "Visit NAME in the workspace and connect Eglot, as `eglot-ensure' would interactively."
  (find-file (expand-file-name name precepts-test-workspace))
  (python-mode)
  (unless (eglot-current-server)
    (apply #'eglot (eglot--guess-contact)))
  (precepts-test-wait "an Eglot connection" 20 #'eglot-current-server))

(defun precepts-test-sync ()
  "Send pending changes now (Eglot otherwise waits for idle time)."
  (eglot--signal-textDocument/didChange))

(defun precepts-test-full ()
  "Diagnostics, hover, quick fix and fix-all."
  (precepts-test-open "sample.py")
  (precepts-test-record 'command (precepts--contact nil))
  (precepts-test-wait "BP105 in sample.py" 30
                      (lambda () (member "BP105" (precepts-test-codes))))
  (precepts-test-record 'diagnostics (precepts-test-diagnostics))

  ;; Hover, asked the way Eglot asks it, at the finding.
  (goto-char (point-min))
  (re-search-forward "value == None")
  (goto-char (1+ (match-beginning 0)))
  (let* ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                 (eglot--TextDocumentPositionParams)))
         (contents (plist-get hover :contents)))
    (precepts-test-record 'hover (if (stringp contents) contents (plist-get contents :value))))

  ;; Quick fix through Eglot's own command; its menu is answered with the preferred action.
  (let* ((beg (line-beginning-position)) (end (line-end-position))
         (actions (eglot-code-actions beg end "quickfix"))
         (chosen (or (cl-find-if (lambda (a) (plist-get a :isPreferred)) actions)
                     (car actions))))
    (unless chosen (error "No quick fix offered for BP105"))
    ;; As if typed: a keyboard event makes Eglot ask with `completing-read' (in batch
    ;; mode the default, a mouse menu, would answer nil).
    (let ((last-nonmenu-event ?\r))
      (cl-letf (((symbol-function 'completing-read)
                 (lambda (&rest _) (plist-get chosen :title))))
        (eglot-code-actions beg end "quickfix" t)))
    (precepts-test-sync)
    (ignore-errors
      (precepts-test-wait "BP105 to clear" 15
                          (lambda () (not (member "BP105" (precepts-test-codes))))))
    (precepts-test-record
     'quickfix `((titles . ,(vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
                 (text . ,(buffer-substring-no-properties (point-min) (point-max)))
                 (diagnostics . ,(precepts-test-diagnostics)))))
  (save-buffer)

  ;; M-x precepts-fix-all.
  (precepts-test-open "fixall.py")
  (precepts-test-wait "three findings in fixall.py" 30
                      (lambda () (>= (length (precepts-test-codes)) 3)))
  (let ((before (precepts-test-diagnostics)))
    (precepts-fix-all)
    (precepts-test-sync)
    (ignore-errors
      (precepts-test-wait "fixall.py to be clean" 15
                          (lambda () (null (precepts-test-codes)))))
    (precepts-test-record
     'fix_all `((before . ,before)
                (text . ,(buffer-substring-no-properties (point-min) (point-max)))
                (diagnostics . ,(precepts-test-diagnostics))))))

(defun precepts-test-settings ()
  "`precepts-settings' reach the server: BP105 is ignored."
  (setq precepts-settings '(:ignore ["BP105"]))
  (precepts-test-open "ignored.py")
  (precepts-test-wait "findings in ignored.py" 30 #'precepts-test-codes)
  (ignore-errors
    (precepts-test-wait "BP105 to be ignored" 5
                        (lambda () (not (member "BP105" (precepts-test-codes))))))
  (accept-process-output nil 0.3)
  (precepts-test-record 'settings (precepts-test-diagnostics)))

(setq make-backup-files nil create-lockfiles nil)
(precepts-eglot-setup)
(condition-case err
    (progn
      (if (equal precepts-test-scenario "settings")
          (precepts-test-settings)
        (precepts-test-full))
      (precepts-test-record 'done t)
      (kill-emacs 0))
  (error
   (precepts-test-record 'error (error-message-string err))
   (message "FAIL %s" (error-message-string err))
   (kill-emacs 1)))

;;; test_eglot.el ends here
