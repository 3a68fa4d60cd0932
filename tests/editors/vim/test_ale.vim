" Headless Vim + ALE test of editors/vim/ale_linters/python/precepts.vim.
" Run by tests/editors/test_vim.py as
"     vim -N -u NONE -i NONE -es -S tests/editors/vim/test_ale.vim
" with the sample project as the working directory. Environment: PRECEPTS_VIM_DIR
" (editors/vim), PRECEPTS_VIM_OUT (the JSON report), PRECEPTS_VIM_SCENARIO (full |
" settings). The script records what Vim saw; pytest judges it. It exits 1 (cquit)
" when a step fails or times out, after writing the report.

let s:report = {'vim': v:version, 'ale': 0}
let s:scenario = empty($PRECEPTS_VIM_SCENARIO) ? 'full' : $PRECEPTS_VIM_SCENARIO

function! s:Write() abort
    call writefile([json_encode(s:report)], $PRECEPTS_VIM_OUT)
endfunction

function! s:Record(step, value) abort
    let s:report[a:step] = a:value
    call s:Write()
endfunction

" Let timers and channel callbacks run (they do during :sleep) until Condition() is true.
function! s:WaitFor(what, ms, Condition) abort
    let l:waited = 0
    while !a:Condition()
        if l:waited >= a:ms
            throw 'timed out after ' . a:ms . ' ms waiting for ' . a:what
        endif
        sleep 20m
        let l:waited += 20
    endwhile
endfunction

function! s:Items() abort
    let l:items = []
    for l:item in ale#engine#GetLoclist(bufnr(''))
        call add(l:items, {
        \   'code': get(l:item, 'code', v:null),
        \   'text': l:item.text,
        \   'type': l:item.type,
        \   'lnum': l:item.lnum,
        \   'col': l:item.col,
        \   'linter': l:item.linter_name,
        \})
    endfor
    return l:items
endfunction

function! s:Codes() abort
    return sort(map(s:Items(), {_, item -> item.code}))
endfunction

let s:hover = v:null
function! s:OnHover(message) abort
    let s:hover = a:message
endfunction

let s:actions = v:null
function! s:OnCodeAction(message) abort
    let s:actions = a:message
endfunction

function! s:Full() abort
    edit sample.py
    ALELint
    call s:WaitFor('BP105 in sample.py', 30000, {-> index(s:Codes(), 'BP105') >= 0})
    let l:items = s:Items()
    call s:Record('diagnostics', l:items)
    let l:item = filter(copy(l:items), {_, i -> i.code is# 'BP105'})[0]

    " Hover at the finding, sent through ALE's connection to the server.
    call ale#lsp_linter#SendRequest(bufnr(''), 'precepts',
    \   ale#lsp#message#Hover(bufnr(''), l:item.lnum, l:item.col + 1), function('s:OnHover'))
    call s:WaitFor('the hover', 10000, {-> s:hover isnot v:null})
    let l:contents = get(get(s:hover, 'result', {}), 'contents', '')
    call s:Record('hover', type(l:contents) == v:t_dict ? l:contents.value : string(l:contents))

    " Quick fix: codeAction with the diagnostic in its context; ALE applies the edit.
    let l:line = l:item.lnum - 1
    let l:diagnostic = {
    \   'range': {'start': {'line': l:line, 'character': l:item.col - 1},
    \             'end': {'line': l:line, 'character': len(getline(l:item.lnum))}},
    \   'message': l:item.text, 'code': 'BP105', 'source': 'precepts', 'severity': 2,
    \}
    call ale#lsp_linter#SendRequest(bufnr(''), 'precepts',
    \   ale#lsp#message#CodeAction(bufnr(''), l:item.lnum, l:item.col, l:item.lnum,
    \       len(getline(l:item.lnum)), [l:diagnostic]),
    \   function('s:OnCodeAction'))
    call s:WaitFor('code actions', 10000, {-> s:actions isnot v:null})
    let l:offered = get(s:actions, 'result', v:null)
    if type(l:offered) != v:t_list || empty(l:offered)
        throw 'no code actions offered: ' . string(s:actions)
    endif
    let l:preferred = filter(copy(l:offered), {_, a -> get(a, 'isPreferred', v:false)})
    let l:chosen = empty(l:preferred) ? l:offered[0] : l:preferred[0]
    call ale#code_action#HandleCodeAction({
    \   'description': 'precepts quick fix',
    \   'changes': ale#code_action#BuildChangesList(ale#code_action#GetChanges(l:chosen.edit)),
    \}, {})
    " ALE sends the change when it lints again.
    ALELint
    try
        call s:WaitFor('BP105 to clear', 15000, {-> index(s:Codes(), 'BP105') < 0})
    catch
    endtry
    call s:Record('quickfix', {
    \   'titles': map(copy(l:offered), {_, a -> a.title}),
    \   'lines': getline(1, '$'),
    \   'diagnostics': s:Items(),
    \})
endfunction

function! s:Settings() abort
    let g:ale_python_precepts_config = {'ignore': ['BP105']}
    edit ignored.py
    ALELint
    call s:WaitFor('findings in ignored.py', 30000, {-> !empty(s:Codes())})
    try
        call s:WaitFor('BP105 to be ignored', 5000, {-> index(s:Codes(), 'BP105') < 0})
    catch
    endtry
    call s:Record('settings', s:Items())
endfunction

try
    let &runtimepath = $PRECEPTS_VIM_DIR . ',' . &runtimepath
    packadd ale
    let s:report.ale = exists('g:loaded_ale')
    filetype plugin on
    set hidden noswapfile
    let g:ale_linters = {'python': ['precepts']}
    let g:ale_linters_explicit = 1
    let g:ale_lint_delay = 0
    if s:scenario is# 'settings'
        call s:Settings()
    else
        call s:Full()
    endif
    call s:Record('done', v:true)
    qall!
catch
    call s:Record('error', v:exception . ' at ' . v:throwpoint)
    cquit 1
endtry
