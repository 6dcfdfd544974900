Feature: The failed supplier is out once Ofgem acts (MP134B R6.3-R6.5)
  Ofgem's revocation takes every Organisation certificate of the failed supplier (Supplier DS
  and KA, and the xmlSign certificate it signs DUIS with) and the DCC suspends its User. From
  then on only the SRP Ofgem instructed acts for it: the failed supplier's own requests are
  refused before they reach a meter, and a pre-command that verifies only under a revoked
  Supplier DS certificate is accepted from that SRP alone.

  @R6.3 @R6.4 @smets1 @smets2
  Scenario: Ofgem's revocation takes every certificate of the failed supplier and suspends its User
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    Then SMKI's CRLs list every certificate of "Bright Energy" as revoked
    And the DCC's register shows "Bright Energy" as suspended

  @R6.3 @R6.4 @smets1 @smets2
  Scenario Outline: The failed supplier's own requests are refused for its revoked xmlSign certificate
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    When "Bright Energy" sends SR 1.6 "<request>" to the <meter> of "<premises>"
    Then the DCC rejects it at the "signature" stage with "E1"
    And no meter has changed

    Examples:
      | request    | meter        | premises |
      | Credit     | ESME         | Flat 3   |
      | Prepayment | GSME         | Flat 3   |
      | Credit     | SMETS1 meter | Flat 5   |
      | Prepayment | SMETS1 meter | Flat 5   |

  @R6.3 @R6.4 @smets1 @smets2
  Scenario Outline: With a new xmlSign certificate the failed supplier is still refused: its User is suspended
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    When "Bright Energy" asks SMKI, in the "IS" User Role, for an Organisation Certificate with Remote Party Role "xmlSign" and key usage "digitalSignature"
    Then SMKI refuses it, saying "is suspended"
    When an xmlSign certificate of "Bright Energy" reaches SMKI's repository without subscription
    And "Bright Energy" sends SR 1.6 "Credit" to the <meter> of "<premises>"
    Then the audit trail shows that it passed the "signature" stage
    And the DCC rejects it at the "user" stage with "E3"
    And no meter has changed

    Examples:
      | meter        | premises |
      | ESME         | Flat 3   |
      | SMETS1 meter | Flat 5   |

  @R6.4 @R6.5 @smets2
  Scenario: The failed supplier, reinstated, cannot use its revoked Supplier DS certificate
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    When the DCC reinstates "Bright Energy"
    And "Bright Energy" asks SMKI, in the "IS" User Role, for an Organisation Certificate with Remote Party Role "xmlSign" and key usage "digitalSignature"
    And "Bright Energy" signs its DUIS with the new certificate from now on
    And "Bright Energy" asks the DCC to transform SR 1.6 "Credit" for the ESME of "Flat 3"
    Then the DCC accepts it
    When "Bright Energy" sends back the pre-command, signed with the Supplier DS key of "Bright Energy"
    Then the DCC rejects it at the "gbcs-signature" stage with "E1000"
    And no meter has changed

  @R6.4 @R6.5 @smets2
  Scenario: A pre-command under a revoked Supplier DS certificate from a User that is not the SRP is refused
    Given SMKI has revoked only the Supplier DS certificate of "Steady Power"
    When "Steady Power" asks the DCC to transform SR 1.6 "Credit" for the ESME of "Flat 7"
    Then the DCC accepts it
    When "Steady Power" sends back the pre-command, signed with the Supplier DS key of "Steady Power"
    Then the DCC rejects it at the "gbcs-signature" stage with "E1000"
    And no meter has changed
