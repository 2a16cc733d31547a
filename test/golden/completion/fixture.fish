# fish completion for sshield; generated from its command definitions (sshield completion fish)
function __sshield_takes_value
    switch "$argv[1]|$argv[2]"
        case ' audit|--root' ' audit|-f' ' audit|--file' ' audit|--format' ' audit|--fail-on' ' keys list|--user' ' keys restrict|--user' ' keys restrict|--from' ' report|-o' ' report|--output'
            return 0
    end
    return 1
end

function __sshield_path
    set -l words (commandline -opc)
    set -e words[1]
    set -l path ''
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case '-*=*'
                continue
            case '-*'
                __sshield_takes_value "$path" $w; and set skip 1
                continue
        end
        if contains -- "$path $w" ' audit' ' keys' ' keys list' ' keys restrict' ' report' ' completion'
            set path "$path $w"
        end
    end
    echo "$path"
end

function __sshield_at
    test (__sshield_path) = "$argv[1]"
end

complete -c sshield -f
complete -c sshield -n '__sshield_at \'\'' -a 'audit' -d 'judge the host\'s effective sshd config'
complete -c sshield -n '__sshield_at \'\'' -a 'keys' -d 'Authorized keys: list them, restrict them.'
complete -c sshield -n '__sshield_at \'\'' -a 'report' -d 'render saved JSON as HTML'
complete -c sshield -n '__sshield_at \'\'' -a 'completion' -d 'print a completion script'
complete -c sshield -n '__sshield_at \'\'' -s V -l version -d 'output the version number'
complete -c sshield -n '__sshield_at \'\'' -l help -d 'show help'
complete -c sshield -n '__sshield_at \' audit\'' -l root -x -a '(__fish_complete_directories (commandline -ct))' -d 'audit an offline root directory'
complete -c sshield -n '__sshield_at \' audit\'' -s f -l file -r -F -d 'audit this sshd_config'
complete -c sshield -n '__sshield_at \' audit\'' -l format -x -a 'text json sarif html' -d 'output format'
complete -c sshield -n '__sshield_at \' audit\'' -l fail-on -x -d 'exit 1 when a rule at or above this severity fails (\'quoted\' \\ back)'
complete -c sshield -n '__sshield_at \' audit\'' -s v -l verbose -d 'show everything'
complete -c sshield -n '__sshield_at \' audit\'' -l help -d 'show help'
complete -c sshield -n '__sshield_at \' keys\'' -a 'list' -d 'List keys.'
complete -c sshield -n '__sshield_at \' keys\'' -a 'restrict' -d 'Restrict keys: one: two.'
complete -c sshield -n '__sshield_at \' keys\'' -l help -d 'show help'
complete -c sshield -n '__sshield_at \' keys list\'' -l user -x -d 'only this account'
complete -c sshield -n '__sshield_at \' keys list\'' -l help -d 'show help'
complete -c sshield -n '__sshield_at \' keys restrict\'' -l user -x -d 'the account'
complete -c sshield -n '__sshield_at \' keys restrict\'' -l from -x -d 'from= addresses'
complete -c sshield -n '__sshield_at \' keys restrict\'' -l help -d 'show help'
complete -c sshield -n '__sshield_at \' report\'' -s o -l output -r -F -d 'write to FILE'
complete -c sshield -n '__sshield_at \' report\'' -l help -d 'show help'
complete -c sshield -n '__sshield_at \' report\'' -F
complete -c sshield -n '__sshield_at \' completion\'' -l help -d 'show help'
complete -c sshield -n '__sshield_at \' completion\'' -a 'bash zsh fish'
