Feature: Alerts between the revocation and Ofgem's instruction (MP134B R7.1)
  From the moment a failed supplier's certificates are all revoked, the DCC never sends its
  meters' alerts to its own User ID again. A supplier that arranged no SRP in advance has them
  held by the DCC (audited, and kept with the DCC's state), and the DCC hands them, in the order
  they came, to the SRP Ofgem instructs, the moment it instructs. Nothing is lost and nothing
  goes to a revoked User. While the supplier still holds a valid Supplier certificate (not
  revoked, or only in part), its alerts stay its own, whatever Ofgem has said.

  @R7.1
  Scenario Outline: Without an arranged SRP, alerts are held and go to the SRP Ofgem instructs, in order
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    When the <meter> of "<premises>" raises alert 0x8F3F "Unauthorised Physical Access - Tamper Detect"
    Then nobody receives an alert
    And the audit trail records the alert as addressed to "Bright Energy" and held for Ofgem's SRP
    When the <meter> of "<premises>" raises alert 0x8F1F "Low Battery Capacity"
    Then nobody receives an alert
    And the DCC holds 2 alerts for "Bright Energy"
    When Ofgem instructs the SRP to act for "Bright Energy"
    Then the SRP receives device alerts 0x8F3F and 0x8F1F in the order raised, signed by the DCC
    And the DCC holds no alerts for "Bright Energy"
    When the <meter> of "<premises>" raises alert 0x8F3F "Unauthorised Physical Access - Tamper Detect"
    Then the SRP receives device alert 0x8F3F, signed by the DCC

    @smets2
    Examples: SMETS2+
      | meter | premises |
      | ESME  | Flat 3   |

    @smets1
    Examples: SMETS1
      | meter        | premises |
      | SMETS1 meter | Flat 5   |

  @R7.1
  Scenario Outline: Instructed but not revoked, the supplier keeps its alerts
    Given Ofgem has notified a SoLR event for "Bright Energy"
    And Ofgem has instructed the SRP to act for "Bright Energy"
    When the <meter> of "<premises>" raises alert 0x8F3F "Unauthorised Physical Access - Tamper Detect"
    Then "Bright Energy" receives device alert 0x8F3F, signed by the DCC
    And the DCC holds no alerts for "Bright Energy"

    @smets2
    Examples: SMETS2+
      | meter | premises |
      | ESME  | Flat 3   |

    @smets1
    Examples: SMETS1
      | meter        | premises |
      | SMETS1 meter | Flat 5   |

  @R7.1
  Scenario Outline: Only partly revoked, the supplier keeps its alerts, arranged SRP or not
    Given "Bright Energy" has arranged for the SRP to act for it should it fail
    And Ofgem has notified a SoLR event for "Bright Energy"
    And SMKI has revoked only the Supplier DS certificate of "Bright Energy"
    And Ofgem has instructed the SRP to act for "Bright Energy"
    When the <meter> of "<premises>" raises alert 0x8F3F "Unauthorised Physical Access - Tamper Detect"
    Then "Bright Energy" receives device alert 0x8F3F, signed by the DCC
    And the audit trail records the alert as addressed to "Bright Energy" and delivered to "Bright Energy"

    @smets2
    Examples: SMETS2+
      | meter | premises |
      | ESME  | Flat 3   |

    @smets1
    Examples: SMETS1
      | meter        | premises |
      | SMETS1 meter | Flat 5   |
