import LedgerStore

extension DossierState {
    /// Applies one event of this dossier's stream. Events the lifecycle does
    /// not allow in the current stage (possible only when an earlier event
    /// was voided) change nothing but the version.
    ///
    /// - Parameter reference: the reference data in force when the event was appended.
    public mutating func apply(_ recorded: RecordedEvent, reference: ReferenceData) {
        let e = recorded.event
        version = max(version, recorded.version ?? version)
        lastSeq = recorded.seq
        let lag = recorded.recordedAt.seconds - e.at.seconds
        if lag > 3600 { lateRecordings.append((recorded.seq, lag)) }
        if e.type == .eventVoided { return } // handled by refolding without the voided event
        guard voided.contains(recorded.seq) == false, Lifecycle.allows(e.type, in: stage) else { return }
        let t = e.at.seconds
        let d = e.data
        switch e.type {
        case .dossierSubmitted, .dossierReceived:
            procedure = d["procedure"]?.stringValue ?? procedure
            agency = d["agency"]?.stringValue ?? agency
            channel = d["channel"]?.stringValue ?? channel
            if let p = procedure, let def = reference.procedure(p, inForceAt: t) {
                procedureSeq = def.seq
                processingSeconds = def.processingSeconds
                obligationPauses = def.obligationPauses
            }
            if e.type == .dossierSubmitted {
                submittedAt = t; submittedSeq = recorded.seq
            } else {
                receivedAt = t; receivedSeq = recorded.seq; receivedBy = e.actor
            }
        case .dossierRejected:
            rejectedAt = t
            endHolding(at: t, seq: recorded.seq)
            endedAt = t; endSeq = recorded.seq
        case .dossierAssigned:
            endHolding(at: t, seq: recorded.seq)
            holdings.append(Holding(officer: d["to"]?.stringValue ?? "", step: d["step"]?.stringValue ?? "",
                                    from: t, to: nil, assignedSeq: recorded.seq, endSeq: nil))
        case .dossierSupplementRequested:
            resumeStage = stage
            supplementRequestSeqs.append(recorded.seq)
            supplementRequesters.append(e.actor ?? currentHolding?.officer)
            pauses.append(ClockPause(reason: .supplement, start: t, end: nil, startSeq: recorded.seq,
                                     requestedBy: e.actor ?? currentHolding?.officer))
        case .dossierObligationRequested:
            resumeStage = stage
            if obligationPauses {
                pauses.append(ClockPause(reason: .obligation, start: t, end: nil, startSeq: recorded.seq, requestedBy: e.actor))
            }
        case .dossierSupplementReceived, .dossierObligationFulfilled:
            if let last = pauses.indices.last, pauses[last].end == nil { pauses[last].end = t }
        case .dossierFeePaid:
            payments.append(Payment(at: t, amount: d["amount"]?.numberValue ?? 0, online: d["online"]?.boolValue ?? false, seq: recorded.seq))
        case .dossierDigitised:
            if d["part"]?.stringValue == "input" { inputDigitised = true }
            if d["part"]?.stringValue == "result" { resultDigitised = true }
        case .dossierApologyIssued:
            if let s = d["newDueAt"]?.stringValue, let due = try? Timestamp(rfc3339: s) { apologyNewDueAt = due.seconds }
            apologyAt = t; apologySeq = recorded.seq
        case .dossierProcessed:
            endHolding(at: t, seq: recorded.seq)
            processedAt = t; processedSeq = recorded.seq
            result = d["outcome"]?.stringValue
        case .dossierResultReturned:
            returnedAt = t
            endedAt = t; endSeq = recorded.seq
        case .dossierWithdrawn, .dossierSuspended:
            endHolding(at: t, seq: recorded.seq)
            if let last = pauses.indices.last, pauses[last].end == nil { pauses[last].end = t }
            endedAt = t; endSeq = recorded.seq
        case .dossierRated:
            if let s = d["score"]?.intValue { ratings.append(Rating(at: t, score: Int(s), seq: recorded.seq)) }
        case .dossierComplaintFiled:
            complaints += 1
        case .activityRecorded:
            // A history from another system: each activity is a hold of its resource, until the next one.
            endHolding(at: t, seq: recorded.seq)
            if let resource = d["resource"]?.stringValue {
                holdings.append(Holding(officer: resource, step: d["activity"]?.stringValue ?? "", from: t, to: nil,
                                        assignedSeq: recorded.seq, endSeq: nil))
            }
        default:
            break
        }
        stage = Lifecycle.stage(after: e.type, in: stage, resume: resumeStage)
    }

    private mutating func endHolding(at t: Int64, seq: UInt64) {
        if let last = holdings.indices.last, holdings[last].to == nil {
            holdings[last].to = t
            holdings[last].endSeq = seq
        }
    }

    /// Folds a whole stream: voided events (named by `event.voided` in the
    /// stream) are left out, as if they had never happened.
    public static func fold(code: String, events: [RecordedEvent], reference: ReferenceData) -> DossierState {
        var state = DossierState(code: code)
        state.voided = events.compactMap { e in
            e.event.type == .eventVoided ? e.event.data["seq"]?.intValue.map { UInt64($0) } : nil
        }
        for e in events { state.apply(e, reference: reference) }
        return state
    }
}
