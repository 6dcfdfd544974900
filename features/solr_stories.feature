Feature: SoLR event stories, end to end
  Whole days of a SoLR event as the people in it live them: the failed supplier, Ofgem, the SRP
  and its officers, the DCC and the customers' meters. The rehearsal week starts on Monday
  2 November 2026; times are UTC.

  Bright Energy's customers: Flat 3 (an ESME and a GSME) and Flat 5 (a SMETS1 meter), all in
  prepayment. Steady Power's customer at Flat 7 (an ESME) is in prepayment too.

  @R6.1 @R6.2 @R6.3 @R6.4 @R7.1 @smets1 @smets2
  Scenario: A supplier fails on Monday; by Tuesday every reachable prepayment customer is on credit
    Given it is Monday 09:00
    And the ESME of "Flat 3" is in prepayment mode
    And the GSME of "Flat 3" is in prepayment mode
    And the SMETS1 meter of "Flat 5" is in prepayment mode
    And the ESME of "Flat 7" is in prepayment mode
    And the GSME of "Flat 3" cannot be reached over the WAN
    When supplier "Bright Energy" fails and its SMKI certificates are revoked
    And it is Monday 14:00
    And Ofgem instructs the SRP to act for "Bright Energy"
    And the ESME of "Flat 3" raises alert 0x8F3F "Unauthorised Physical Access - Tamper Detect"
    Then the SRP receives device alert 0x8F3F, signed by the DCC
    And the wire log records Ofgem's notification, revocation and instruction for "Bright Energy", in that order
    When it is Monday 16:30
    And officer "srp-aro" submits an ADT of 100 SR 1.6 a day for "Bright Energy"
    Then the DCC accepts the ADT
    When it is Tuesday 07:00
    And the SRP sends SR 1.6 "Credit" to every meter of "Bright Energy"
    Then by Tuesday 09:00 every reachable meter of "Bright Energy" is in credit mode
    And the GSME of "Flat 3" is in prepayment mode
    And the WAN lost the command for the GSME of "Flat 3"
    And the SRP receives the response "E21" to its request for the GSME of "Flat 3", signed by the DCC
    And the ESME of "Flat 7" is in prepayment mode
    When it is Tuesday 11:00
    And the GSME of "Flat 3" can be reached again
    And the SRP sends SR 1.6 "Credit" to the GSME of "Flat 3"
    Then the GSME of "Flat 3" is in credit mode
    And the SRP receives the meter's response "I0", signed by the DCC

  @R6.2 @R6.1 @smets1 @smets2
  Scenario: An SRP tries to act before Ofgem's instruction
    Given it is Monday 09:00
    When supplier "Bright Energy" fails and its SMKI certificates are revoked
    And the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC rejects it at the "solr-instruction" stage with "E4"
    And no meter has changed
    When the SRP sends SR 1.6 "Credit" to the SMETS1 meter of "Flat 5"
    Then the DCC rejects it at the "solr-instruction" stage with "E4"
    And no meter has changed
    When officer "srp-aro" submits an ADT of 100 SR 1.6 a day for "Bright Energy"
    Then the DCC refuses the ADT under rule "R6.2"
    When it is Monday 11:00
    And Ofgem instructs the SRP to act for "Bright Energy"
    And the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC quarantines it at the "adt" stage with DCC alert AD1 "ADUserThresholdBreach"
    And no meter has changed
    When officer "srp-aro" submits an ADT of 100 SR 1.6 a day for "Bright Energy"
    Then the DCC accepts the ADT
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC accepts it
    And the ESME of "Flat 3" is in credit mode

  @R5.1 @R5.2 @R5.3 @R6.3 @R6.4 @smets1 @smets2
  Scenario: A compromised SRP tries to put a meter into prepayment
    # The attacker has the SRP's xmlSign key and the Supplier DS key of Bright Energy that the
    # SRP holds; the SRP has already switched Flat 3's ESME and Flat 5's SMETS1 meter to credit.
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    And the SRP has sent SR 1.6 "Credit" to the ESME of "Flat 3"
    And the SRP has sent SR 1.6 "Credit" to the SMETS1 meter of "Flat 5"
    When the SRP sends SR 1.6 "Prepayment" to the ESME of "Flat 3"
    Then the DCC quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach"
    And no meter has changed
    When the SRP sends SR 1.6 "Prepayment disguised as Credit" to the ESME of "Flat 3"
    Then the DCC quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach"
    And no meter has changed
    When the SRP asks the DCC to transform SR 1.6 "Credit" for the ESME of "Flat 3"
    And the SRP sends back the pre-command with the code and payload of ECS03 (ESME to prepayment), signed with the Supplier DS key of "Bright Energy"
    Then the DCC quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach"
    And no meter has changed
    When the SRP sends SR 1.6 "Prepayment" to the SMETS1 meter of "Flat 5"
    Then the DCC quarantines it at the "content" stage with DCC alert AD1 "ADAttributeLimitsBreach"
    And no meter has changed
    When the SRP sends SR 1.6 "Prepayment" to the SMETS1 meter of "Flat 5" with its DUIS signed by the Supplier DS certificate of "Bright Energy"
    Then the DCC rejects it at the "signature" stage with "E1"
    And no meter has changed
    And the ESME of "Flat 3" is in credit mode
    And the SMETS1 meter of "Flat 5" is in credit mode
    And the SRP has received 4 DCC alerts AD1 "ADAttributeLimitsBreach" in all
