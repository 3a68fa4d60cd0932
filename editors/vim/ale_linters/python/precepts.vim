" precepts: your team's coding standard, as an ALE language-server linter for Python.
" Maintainer: precepts developers
" License: MIT
"
" Add this directory (editors/vim) to 'runtimepath' after ALE is loaded, for example
"     set runtimepath+=/path/to/precepts/editors/vim
" and enable the linter:
"     let g:ale_linters = {'python': ['precepts']}      " or add it to your list
"
" Options (see editors/README.md):
"     g:ale_python_precepts_executable  'precepts' (found in a virtualenv first)
"     g:ale_python_precepts_use_global  0: look in $VIRTUAL_ENV / .venv first
"     g:ale_python_precepts_config      {} : the "precepts" settings sent to the server,
"                                       e.g. {'ignore': ['BP104'], 'unsafeFixes': v:true}

call ale#Set('python_precepts_executable', 'precepts')
call ale#Set('python_precepts_use_global', get(g:, 'ale_use_global_executables', 0))
call ale#Set('python_precepts_config', {})

function! ale_linters#python#precepts#GetExecutable(buffer) abort
    return ale#python#FindExecutable(a:buffer, 'python_precepts', ['precepts'])
endfunction

function! ale_linters#python#precepts#GetSettings(buffer) abort
    let l:settings = ale#Var(a:buffer, 'python_precepts_config')

    return empty(l:settings) ? {'precepts': {}} : {'precepts': l:settings}
endfunction

function! ale_linters#python#precepts#GetInitializationOptions(buffer) abort
    return {'settings': ale_linters#python#precepts#GetSettings(a:buffer).precepts}
endfunction

call ale#linter#Define('python', {
\   'name': 'precepts',
\   'lsp': 'stdio',
\   'executable': function('ale_linters#python#precepts#GetExecutable'),
\   'command': '%e serve',
\   'project_root': function('ale#python#FindProjectRoot'),
\   'lsp_config': function('ale_linters#python#precepts#GetSettings'),
\   'initialization_options': function('ale_linters#python#precepts#GetInitializationOptions'),
\})
