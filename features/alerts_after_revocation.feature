Feature: Device alerts after the supplier's certificates are revoked (MP134B R7)
  A failed supplier's meters keep raising alerts. From the moment its certificates are revoked,
  the DCC delivers the alerts addressed to it to its SRP (R7.1): the SRP it arranged in advance,
  here, and the SRP Ofgem names once Ofgem has named one (for a supplier without an arranged SRP
  see alerts_held_until_instruction.feature). The safety-critical alerts,
  a list in the DCC's dcc.toml, are always delivered and flagged (R7.2), and an alert MACed or
  signed under the failed supplier's revoked credentials is still processed (R7.3).

  Alerts come from the real meters: a physical event on a meter makes its alert frame, which
  the DCC authenticates and routes. A SMETS2+ meter's GBCS alert is wrapped in a DUIS
  DeviceAlertMessage that the DCC signs; a SMETS1 meter's alert is delivered in an
  SMETS1ResponseMessage whose SMETS1SignedResponse the DCC signs as S1SP. Rows tagged @smets1
  use Bright Energy's SMETS1 meter at "Flat 5"; tests/dcc/test_smets1_alerts.py checks more.

  Background:
    Given "Bright Energy" has arranged for the SRP to act for it should it fail
    And supplier "Bright Energy" has failed and its SMKI certificates are revoked

  @R7.1
  Scenario Outline: A tamper alert from a failed supplier's meter goes to the SRP Ofgem named
    Given Ofgem has instructed the SRP to act for "Bright Energy"
    When the <meter> of "<premises>" raises alert 0x8F3F "Unauthorised Physical Access - Tamper Detect"
    Then the SRP receives device alert 0x8F3F, signed by the DCC
    And the audit trail records the alert as addressed to "Bright Energy" and delivered to the SRP
    And the audit trail flags the alert as safety-critical

    @smets2
    Examples: SMETS2+
      | meter | premises |
      | ESME  | Flat 3   |

    @smets1
    Examples: SMETS1
      | meter        | premises |
      | SMETS1 meter | Flat 5   |

  @R7.1
  Scenario Outline: Before Ofgem names an SRP, alerts go to the SRP the supplier arranged
    When the <meter> of "<premises>" raises alert 0x8F3F "Unauthorised Physical Access - Tamper Detect"
    Then the SRP receives device alert 0x8F3F, signed by the DCC
    And the audit trail records the alert as addressed to "Bright Energy" and delivered to the SRP
    And the audit trail flags the alert as safety-critical

    @smets2
    Examples: SMETS2+
      | meter | premises |
      | ESME  | Flat 3   |

    @smets1
    Examples: SMETS1
      | meter        | premises |
      | SMETS1 meter | Flat 5   |

  @R7.1
  Scenario Outline: A non-critical alert is delivered to the SRP too
    Given Ofgem has instructed the SRP to act for "Bright Energy"
    When the <meter> of "<premises>" raises alert 0x810E "Credit Added Locally"
    Then the SRP receives device alert 0x810E, signed by the DCC
    And the audit trail does not flag the alert as safety-critical

    @smets2
    Examples: SMETS2+
      | meter | premises |
      | ESME  | Flat 3   |

    @smets1
    Examples: SMETS1
      | meter        | premises |
      | SMETS1 meter | Flat 5   |

  @R7.1 @smets2
  Scenario: A healthy supplier's alerts never go to the SRP
    Given Ofgem has instructed the SRP to act for "Bright Energy"
    When the ESME of "Flat 7" raises alert 0x8F3F "Unauthorised Physical Access - Tamper Detect"
    Then "Steady Power" receives device alert 0x8F3F, signed by the DCC
    And the audit trail records the alert as addressed to "Steady Power" and delivered to "Steady Power"

  @R7.1 @smets2
  Scenario: A forged safety-critical alert is not passed on
    Given Ofgem has instructed the SRP to act for "Bright Energy"
    When alert 0x8F3F arrives as if from the ESME of "Flat 3", stripped of its signature
    Then nobody receives an alert
    And the audit trail records no alert from the ESME of "Flat 3"

  @R7.2
  Scenario Outline: Every safety-critical alert reaches the SRP, flagged
    Given Ofgem has instructed the SRP to act for "Bright Energy"
    When the <meter> of "<premises>" raises alert <code> "<name>"
    Then the SRP receives device alert <code>, signed by the DCC
    And the audit trail records the alert as addressed to "Bright Energy" and delivered to the SRP
    And the audit trail flags the alert as safety-critical

    @smets2
    Examples: SMETS2+
      | code   | name                                                        | meter | premises |
      | 0x8F1F | Low Battery Capacity                                        | ESME  | Flat 3   |
      | 0x8F3F | Unauthorised Physical Access - Tamper Detect                | ESME  | Flat 3   |
      | 0x8F73 | Unauthorised Physical Access - Battery Cover Removed        | ESME  | Flat 3   |
      | 0x8F74 | Unauthorised Physical Access - Meter Cover Removed          | ESME  | Flat 3   |
      | 0x8F75 | Unauthorised Physical Access - Strong Magnetic field        | ESME  | Flat 3   |
      | 0x8F76 | Unauthorised Physical Access - Terminal Cover Removed       | ESME  | Flat 3   |
      | 0x8F77 | Unauthorised Physical Access - Second Terminal Cover Removed | ESME  | Flat 3   |
      | 0x8F78 | Unauthorised Physical Access - Other                        | ESME  | Flat 3   |
      | 0x8F1D | GSME Power Supply Loss                                      | GSME  | Flat 3   |

    @smets1
    Examples: SMETS1
      | code   | name                                                  | meter        | premises |
      | 0x8F1F | Low Battery Capacity                                  | SMETS1 meter | Flat 5   |
      | 0x8F3F | Unauthorised Physical Access - Tamper Detect          | SMETS1 meter | Flat 5   |
      | 0x8F74 | Unauthorised Physical Access - Meter Cover Removed    | SMETS1 meter | Flat 5   |

  @R7.2 @smets2
  Scenario: Before Ofgem names an SRP, safety-critical alerts reach the SRP the supplier arranged
    When the GSME of "Flat 3" raises alert 0x8F1D "GSME Power Supply Loss"
    Then the SRP receives device alert 0x8F1D, signed by the DCC
    And the audit trail flags the alert as safety-critical

  @R7.2 @smets2
  Scenario: The safety-critical list is configuration
    Given Ofgem has instructed the SRP to act for "Bright Energy"
    When the DCC operator adds alert 0x810E to the safety-critical alerts in dcc.toml
    And the ESME of "Flat 3" raises alert 0x810E "Credit Added Locally"
    Then the SRP receives device alert 0x810E, signed by the DCC
    And the audit trail flags the alert as safety-critical
    When the DCC operator removes alert 0x8F3F from the safety-critical alerts in dcc.toml
    And the ESME of "Flat 3" raises alert 0x8F3F "Unauthorised Physical Access - Tamper Detect"
    Then the SRP receives device alert 0x8F3F, signed by the DCC
    And the audit trail does not flag the alert as safety-critical
    And the DCC has not been restarted

  @R7.3 @smets2
  Scenario: An alert MACed under the failed supplier's revoked KA credentials is still delivered
    Given Ofgem has instructed the SRP to act for "Bright Energy"
    Then SMKI's CRL lists every Supplier certificate of "Bright Energy" as revoked
    When the ESME of "Flat 3" raises alert 0x810E "Credit Added Locally"
    Then the alert's GBCS frame is MACed with the Supplier KA key of "Bright Energy", not signed
    And the SRP receives device alert 0x810E, signed by the DCC

  @R7.3 @smets2
  Scenario Outline: Revocation does not silence a signed safety-critical alert
    Then SMKI's CRL lists every Supplier certificate of "Bright Energy" as revoked
    When the <meter> of "Flat 3" raises alert <code> "<name>"
    Then the alert's GBCS frame is signed by the <meter> of "Flat 3"
    And the SRP receives device alert <code>, signed by the DCC
    And the audit trail flags the alert as safety-critical

    Examples:
      | meter | code   | name                                         |
      | ESME  | 0x8F3F | Unauthorised Physical Access - Tamper Detect |
      | GSME  | 0x8F1D | GSME Power Supply Loss                       |
