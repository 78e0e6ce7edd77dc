import DrainsimCLI
import Foundation

var out = ""
var err = ""
let status = CLI.main(Array(CommandLine.arguments.dropFirst()), out: &out, err: &err)
FileHandle.standardOutput.write(Data(out.utf8))
FileHandle.standardError.write(Data(err.utf8))
exit(status)
