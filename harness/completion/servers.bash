# bash completion for http-server and chat-server: their options, read from their --help by
# bash-completion's _longopt; files after the others (certificates, keys, --root folders).
# Installed under both names in share/bash-completion/completions/.
complete -F _longopt http-server chat-server
