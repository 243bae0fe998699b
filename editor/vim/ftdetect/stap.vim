" SystemTap scripts and tapset macro files. Vim itself maps *.stp to "stp" (stored
" procedures), so the filetype is set, not just suggested.
autocmd BufRead,BufNewFile *.stp,*.stpm set filetype=stap
