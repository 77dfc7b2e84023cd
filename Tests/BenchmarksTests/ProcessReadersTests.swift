import Foundation
import Testing

@testable import Benchmarks

/// What is read from `/proc`: a process's CPU ticks and parent, its resident memory.
@Suite("process readers")
struct ProcessReadersTests {
    @Test func statFieldsCountAfterACommandNameWithSpacesAndParentheses() throws {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
        let line = "4242 (postgres: a) b) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 12345\n"
        let fields = try #require(ProcessCPU.Fields(stat: line))
        #expect(fields.parent == 17)
        #expect(fields.ticks == 300)
        #expect(fields.reapedTicks == 10)
        #expect(ProcessCPU.Fields(stat: "4242 (cut") == nil)
        #expect(ProcessCPU.Fields(stat: "4242 (short) S 1 2 3") == nil)
    }

    @Test func thisProcessHasUsedSomeCPU() throws {
        let seconds = try #require(ProcessCPU.seconds(pid: ProcessInfo.processInfo.processIdentifier))
        #expect(seconds >= 0)
        #expect(ProcessCPU.seconds(pid: -1) == nil)
    }

    @Test func memoryIsVmRSSAndVmHWMInMebibytes() throws {
        let memory = try #require(ProcessMemory(status: "Name:\tkakao-login\nVmHWM:\t  102400 kB\nVmRSS:\t   51712 kB\nThreads:\t4\n"))
        #expect(memory.residentMiB == 50.5)
        #expect(memory.peakMiB == 100)
        #expect(ProcessMemory(status: "Name:\tkthreadd\n") == nil)
        #expect(ProcessMemory(pid: ProcessInfo.processInfo.processIdentifier) != nil)
    }
}
