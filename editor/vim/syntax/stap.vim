" Vim syntax file for the SystemTap script language (.stp scripts, .stpm macro files).
"
" Highlights keywords, probe point families, target variables ($var, $$parms), @
" operators and extractors, numbers, strings with their escapes and printf conversions,
" the three comment styles, the preprocessor (%( %? %: %), @define) and embedded C
" (%{ ... %}), which is highlighted as C.
" Install: copy syntax/ and ftdetect/ into ~/.vim (or add this folder to 'runtimepath').

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

" Embedded C: highlighted with Vim's C syntax.
syn include @stapC syntax/c.vim
unlet! b:current_syntax
syn region stapEmbedded matchgroup=stapEmbeddedDelim start="%{" end="%}" contains=@stapC keepend

syn keyword stapDecl        probe global function private nextgroup=stapProbePoint skipwhite
syn keyword stapStatement   return next break continue delete
syn keyword stapConditional if else
syn keyword stapRepeat      while for foreach in limit
syn keyword stapException   try catch
syn keyword stapType        long string
syn keyword stapPrint       print println printf printd printdln sprint sprintln sprintf sprintd sprintdln
syn keyword stapTodo        contained TODO FIXME XXX NOTE

" Probe point families (the first component after 'probe').
syn keyword stapProbeFamily begin end error never timer kernel kprobe module process
syn match   stapProbeComp   "\.\(function\|statement\|label\|return\|call\|inline\|exported\|trace\|nearest\|absolute\|maxactive\|randomize\|s\|sec\|ms\|msec\|us\|usec\|ns\|nsec\|hz\|jiffies\|profile\)\>"

" Target variables and command-line arguments.
syn match   stapTarget      "\$\$\?[A-Za-z_][A-Za-z0-9_]*\$\{0,2}"
syn match   stapArgument    "[$@]\(#\|[0-9]\+\)"

" @ operators: statistics extractors, histograms, @cast, @var, @entry, @defined, macros.
syn match   stapAtOperator  "@\(count\|sum\|min\|max\|avg\|variance\|hist_linear\|hist_log\|cast\|var\|entry\|defined\|const\|kregister\|kderef\|probewrite\|enum\)\>"
syn match   stapMacroUse    "@[A-Za-z_][A-Za-z0-9_]*"
syn match   stapDefine      "@define\>"

" Operators worth seeing: statistics add, regex match, string concatenation assignment.
syn match   stapOperator    "<<<\|=\~\|!\~\|\.="

" Numbers: decimal, hexadecimal, octal.
syn match   stapNumber      "\<\d\+\>"
syn match   stapNumber      "\<0[xX]\x\+\>"
syn match   stapNumber      "\<0\o\+\>"

" Strings with C escapes and printf conversions.
syn match   stapEscape      contained "\\\(\o\{1,3}\|x\x\+\|.\)"
syn match   stapFormat      contained "%[-+ #0]*\(\d\+\|\*\)\=\(\.\(\d\+\|\*\)\)\=[hlLzjt]*[diuxXocspmMb%]"
syn region  stapString      start=+"+ skip=+\\\\\|\\"+ end=+"+ contains=stapEscape,stapFormat

" Preprocessor conditionals.
syn match   stapPreProc     "%[(?:)]"
syn keyword stapPreCond     kernel_v kernel_vr arch systemtap_v runtime systemtap_privilege guru_mode

" Comments: #, // and /* */ (a '#' inside a string or %{ %} is not a comment).
syn match   stapComment     "#.*$" contains=stapTodo
syn match   stapComment     "//.*$" contains=stapTodo
syn region  stapComment     start="/\*" end="\*/" contains=stapTodo

hi def link stapDecl          Statement
hi def link stapStatement     Statement
hi def link stapConditional   Conditional
hi def link stapRepeat        Repeat
hi def link stapException     Exception
hi def link stapType          Type
hi def link stapPrint         Function
hi def link stapProbeFamily   Identifier
hi def link stapProbeComp     Identifier
hi def link stapTarget        Special
hi def link stapArgument      Special
hi def link stapAtOperator    Function
hi def link stapMacroUse      Macro
hi def link stapDefine        PreProc
hi def link stapOperator      Operator
hi def link stapNumber        Number
hi def link stapString        String
hi def link stapEscape        SpecialChar
hi def link stapFormat        SpecialChar
hi def link stapPreProc       PreProc
hi def link stapPreCond       PreProc
hi def link stapComment       Comment
hi def link stapTodo          Todo
hi def link stapEmbeddedDelim PreProc

let b:current_syntax = "stap"
let &cpo = s:cpo_save
unlet s:cpo_save
