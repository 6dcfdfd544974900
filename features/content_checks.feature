Feature: Content checks: the SRP may set credit and nothing else (MP134B R5)
  Whatever else is in order, the DCC reads what a request from the SolrContingency role would
  actually do to the meter and lets through only a switch to credit. Anything else is
  quarantined as an anomaly detection attribute (ADA) breach: the SRP gets DCC alert AD1
  "ADAttributeLimitsBreach" and the meter is not touched.

  - SMETS1 (R5.1): the DUIS SR 1.6 body is the payload; it must be Credit.
  - SMETS2+ (R5.2): the GBCS inside the Signed Pre-Command must be ECS02 (ESME) or GCS02 (GSME).
  - R5.3: the check reads the payload itself, never a label beside it.

  The requests an outline names:
  - "Credit" and "Prepayment": SR 1.6 with that body, the whole way (SMETS1 sent with
    CommandVariant 1; SMETS2+ transformed, signed with the failed supplier's Supplier DS key,
    which the SRP holds, and sent back with CommandVariant 5).
  - "Prepayment disguised as Credit": for an ESME, the issued ECS02 credit pre-command with one
    DLMS byte changed so that account_mode_and_status says prepayment, still labelled ECS02; for
    a GSME, a ZSE Payment Control Configuration that sets prepayment under the GCS02 label; for a
    SMETS1 meter, whose payload is the DUIS body itself, the most harmless-looking prepayment
    there is: no debt suspended, no disablement threshold, future-dated a week ahead.

  Background:
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"

  @R5.1 @smets1
  Scenario Outline: A SMETS1 meter: the SRP's SR 1.6 is countersigned only if its body is Credit
    Given the SMETS1 meter of "Flat 5" is in prepayment mode
    When the SRP sends SR 1.6 "<request>" to the SMETS1 meter of "Flat 5"
    Then the DCC <verdict>
    And the SMETS1 meter of "Flat 5" <afterwards>

    Examples:
      | request                        | verdict                                                                             | afterwards        |
      | Credit                         | accepts it                                                                          | is in credit mode |
      | Prepayment                     | quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach" | has not changed   |
      | Prepayment disguised as Credit | quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach" | has not changed   |

  @R5.2 @R5.3 @smets2
  Scenario Outline: A SMETS2+ meter: the SRP's command is MACed only if its GBCS sets credit
    Given the <meter> of "Flat 3" is in prepayment mode
    When the SRP sends SR 1.6 "<request>" to the <meter> of "Flat 3"
    Then the DCC <verdict>
    And the <meter> of "Flat 3" <afterwards>

    Examples:
      | meter | request                        | verdict                                                                             | afterwards        |
      | ESME  | Credit                         | accepts it                                                                          | is in credit mode |
      | ESME  | Prepayment                     | quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach" | has not changed   |
      | ESME  | Prepayment disguised as Credit | quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach" | has not changed   |
      | GSME  | Credit                         | accepts it                                                                          | is in credit mode |
      | GSME  | Prepayment                     | quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach" | has not changed   |
      | GSME  | Prepayment disguised as Credit | quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach" | has not changed   |

  @R5.2 @smets2
  Scenario Outline: The command the DCC MACs is the meter kind's credit command
    When the SRP sends SR 1.6 "Credit" to the <meter> of "Flat 3"
    Then the DCC accepts it
    And the DCC sends the <meter> of "Flat 3" a MACed credit command on behalf of "Bright Energy"
    And the SRP receives the meter's response "I0", signed by the DCC

    Examples:
      | meter |
      | ESME  |
      | GSME  |

  @R5.2 @R5.3 @smets2
  Scenario Outline: A signed pre-command that is not the meter kind's credit command is quarantined
    When the SRP asks the DCC to transform SR 1.6 "Credit" for the <meter> of "Flat 3"
    And the SRP sends back the pre-command with <alteration>, signed with the Supplier DS key of "Bright Energy"
    Then the DCC quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach"
    And no meter has changed

    Examples:
      | meter | alteration                                                    |
      | ESME  | the code and payload of ECS03 (ESME to prepayment)            |
      | GSME  | the code and payload of GCS03 (GSME to prepayment)            |
      | ESME  | the code ECS03 over its credit payload                        |
      | GSME  | the code and payload of ECS02 (an ESME's credit command)      |
      | ESME  | the code and payload of GCS02 (a GSME's credit command)       |
      | ESME  | the code 0x0020 (not an SR 1.6 command) over a credit payload |
      | ESME  | its DLMS payment mode set to prepayment under the ECS02 code  |
      | GSME  | its ZSE payment control set to prepayment under the GCS02 code |

  @R5.3 @smets2
  Scenario: The payload decides for a supplier too: a disguised prepayment is malformed
    Given the ESME of "Flat 7" is in prepayment mode
    When "Steady Power" sends SR 1.6 "Prepayment disguised as Credit" to the ESME of "Flat 7"
    Then the DCC rejects it at the "content" stage with "E1000"
    And no meter has changed

  @R5.2 @smets2
  Scenario: The limit is the SolrContingency role's: a supplier may still set prepayment
    Given "Steady Power" has sent SR 1.6 "Credit" to the ESME of "Flat 7"
    When "Steady Power" sends SR 1.6 "Prepayment" to the ESME of "Flat 7"
    Then the DCC accepts it
    And the ESME of "Flat 7" is in prepayment mode
