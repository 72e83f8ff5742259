import Foundation
import Testing
import Watcher

/// Every fault of the fake API ends in the right `WatcherError` kind, with a
/// message a person can act on, and never re-exports an instant needlessly.
@Suite("SoraCamClient faults")
struct SoraCamFaultTests {
    @Test func a429OnTheExportPostIsRetriedAfterRetryAfter() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.tooManyRequests(retryAfter: 7), into: .exportStart)
        #expect(try fixture.export(try fixture.client()) == SoraCamTestFixture.still)
        #expect(fixture.server.count(.exportStart) == 2)
        #expect(fixture.clock.sleeps.first == 7)
    }

    @Test func a429ThatPersistsFailsAfterThreeTries() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.tooManyRequests(retryAfter: nil), into: .exportStart, times: 5)
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client()) }
        #expect(error?.kind == .soracam)
        #expect(error?.status == 429)
        #expect(error?.message.contains("rate limited") == true)
        #expect(fixture.server.count(.exportStart) == 3)
        #expect(fixture.clock.sleeps == [1, 2])
    }

    @Test func aRetryAfterBeyondTheDeadlineFailsAtOnce() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.tooManyRequests(retryAfter: 30), into: .exportStart)
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client(), deadline: 20) }
        #expect(error?.status == 429)
        #expect(error?.message.contains("Retry-After 30") == true)
        #expect(fixture.server.count(.exportStart) == 1)
        #expect(fixture.clock.sleeps.isEmpty)
    }

    @Test func a5xxOnTheExportPostIsNotRetried() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.serverError, into: .exportStart)
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client()) }
        #expect(error?.kind == .http)
        #expect(error?.status == 500)
        #expect(error?.message.contains("INTERNAL_ERROR: Something went wrong") == true)
        #expect(fixture.server.count(.exportStart) == 1)
        #expect(fixture.server.count(.exportStatus) == 0)
    }

    @Test func aTimeoutOnTheExportPostIsNotRetried() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.slow(seconds: 1.5), into: .exportStart)
        let client = try fixture.client { $0.requestTimeout = 0.3 }
        let error = #expect(throws: WatcherError.self) { try fixture.export(client) }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("starting the still export") == true)
        #expect(fixture.server.count(.exportStart) == 1)
    }

    @Test func otherCallsRetry429And5xxAndSlowAnswers() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.tooManyRequests(retryAfter: 1), into: .auth)
        // One poll answers 500, then too late (each retried within that poll's three tries).
        fixture.server.inject(.serverError, into: .exportStatus)
        fixture.server.inject(.slow(seconds: 1.5), into: .exportStatus)
        fixture.server.inject(.serverError, into: .download)
        let client = try fixture.client { $0.requestTimeout = 0.3 }
        #expect(try fixture.export(client) == SoraCamTestFixture.still)
        #expect(fixture.server.count(.auth) == 2)
        #expect(fixture.server.count(.exportStart) == 1)
        // 500, then the late answer (which the fake counts as a poll), then two polls.
        #expect(fixture.server.count(.exportStatus) == 4)
        #expect(fixture.server.count(.download) == 2)
    }

    @Test func persistent5xxOnPollsFailsAsHTTP() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.serverError, into: .exportStatus, times: 3)
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client()) }
        #expect(error?.kind == .http)
        #expect(error?.message.contains("polling still export") == true)
        #expect(fixture.server.count(.exportStatus) == 3)
        #expect(fixture.server.count(.exportStart) == 1)
    }

    @Test func limitExceededSaysTheBudgetIsSpent() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.setBudget(limitFrames: 100, usedFrames: 100)
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client()) }
        #expect(error?.kind == .soracam)
        #expect(error?.message.contains("monthly export budget is spent") == true)
        #expect(error?.message.contains("limitExceeded") == true)
        #expect(fixture.server.count(.exportStart) == 1)
        #expect(fixture.server.count(.download) == 0)
    }

    @Test func aFailedExportIsFinal() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.statusSequence = ["processing", "failed"]
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client()) }
        #expect(error?.kind == .soracam)
        #expect(error?.message.contains("failed (status failed") == true)
        #expect(fixture.server.count(.exportStatus) == 2)
        #expect(fixture.server.count(.exportStart) == 1)
    }

    @Test func anExportExpiredWhilePollingIsFinal() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.statusSequence = ["expired"]
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client()) }
        #expect(error?.kind == .soracam)
        #expect(error?.message.contains("expired") == true)
    }

    @Test func retryingKeepsPolling() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.statusSequence = ["retrying", "retrying", "initializing", "processing", "completed"]
        #expect(try fixture.export(try fixture.client()) == SoraCamTestFixture.still)
        #expect(fixture.server.count(.exportStatus) == 5)
        #expect(fixture.clock.sleeps == [0.5, 1, 2, 4, 4])
        #expect(fixture.server.count(.exportStart) == 1)
    }

    @Test func anExpiredURLIsReportedWithoutItsSecret() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.urlExpired, into: .download)
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client()) }
        #expect(error?.kind == .soracam)
        #expect(error?.status == 403)
        #expect(error?.message.contains("export URL expired") == true)
        #expect(error?.message.contains("status now expired") == true)
        #expect(error?.message.contains("X-Amz") == false)
        for signature in fixture.server.issuedSignatures { #expect(error?.message.contains(signature) == false) }
        #expect(fixture.server.count(.download) == 1)
        #expect(fixture.server.count(.exportStatus) == 4)
        #expect(fixture.server.count(.exportStart) == 1)
    }

    @Test func anExpiredURLIsReplacedByAFreshOne() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.freshURLAfterExpiry = true
        fixture.server.inject(.urlExpired, into: .download)
        #expect(try fixture.export(try fixture.client()) == SoraCamTestFixture.still)
        let queries = fixture.server.requests(.download).map { $0.query ?? "" }
        #expect(queries.count == 2)
        #expect(queries[0] != queries[1])
        #expect(fixture.server.count(.exportStart) == 1)
    }

    @Test func aTruncatedDownloadIsRetried() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.truncated(bytes: 100), into: .download)
        #expect(try fixture.export(try fixture.client()) == SoraCamTestFixture.still)
        #expect(fixture.server.count(.download) == 2)
    }

    @Test func aDownloadThatStaysTruncatedIsANetworkError() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.truncated(bytes: 100), into: .download, times: 3)
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client()) }
        #expect(error?.kind == .network)
        #expect(error?.message.contains("downloading still export") == true)
        #expect(error?.message.contains("X-Amz") == false)
        #expect(fixture.server.count(.download) == 3)
        #expect(fixture.server.count(.exportStart) == 1)
    }

    @Test func redirectedDownloadsAreFollowedWithoutSoracomHeaders() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.redirectDownloads = true
        #expect(try fixture.export(try fixture.client()) == SoraCamTestFixture.still)
        let downloads = fixture.server.requests(.download)
        #expect(downloads.map { $0.path.hasPrefix("/files/") } == [false, true])
        for request in downloads {
            #expect(request.headers.allSatisfy { !$0.name.lowercased().hasPrefix("x-soracom") })
        }
    }

    @Test func theDeadlineStopsPolling() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.statusSequence = ["processing"]
        let deadline = fixture.clock.now() + 10
        let client = try fixture.client()
        let error = #expect(throws: WatcherError.self) {
            try client.exportStill(deviceId: SoraCamTestFixture.device, time: SoraCamTestFixture.time, deadline: deadline)
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("still processing at the deadline") == true)
        #expect(fixture.clock.now() <= deadline)
        #expect(fixture.clock.sleeps == [0.5, 1, 2, 4])
        #expect(fixture.server.count(.exportStatus) == 4)
        #expect(fixture.server.count(.exportStart) == 1)
    }

    @Test func aDeadlineAlreadyPassedSendsNothing() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client(), deadline: -1) }
        #expect(error?.kind == .timeout)
        #expect(fixture.server.requests.isEmpty)
    }

    @Test func aSlowServerIsCutToTheRemainingDeadline() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.slow(seconds: 3), into: .auth, times: 3)
        let start = Date()
        // 20 s per request by default, but only 0.4 s left before the deadline.
        let error = #expect(throws: WatcherError.self) { try fixture.export(try fixture.client(), deadline: 0.4) }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("SORACOM login") == true)
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(fixture.server.count(.auth) == 1)
    }
}
