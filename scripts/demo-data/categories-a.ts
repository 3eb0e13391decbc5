import type { Category } from './types.js';

/** Billing, refunds, login, user management, import/export and integrations. */
export const CATEGORIES_A: readonly Category[] = [
  {
    label: 'billing',
    count: 190,
    plans: { free: 1, team: 5, enterprise: 3 },
    short: [
      'why was I charged twice?',
      "need a copy of last month's invoice",
      'how do I change the card on file',
      'can we pay by bank transfer?',
      'Do guests count as paid seats?',
      'bill went up, why',
      'where do I add our VAT number',
      'Need a receipt for {month}.',
    ],
    intents: [
      {
        openers: [
          'We were charged twice for {month} - two identical charges of {amount} on our card.',
          'Our card got billed {amount} but we only have {seats} seats, the invoice should be [lower|much lower].',
          'Why did our bill go up this month? Nothing changed on our side as far as I know.',
          "There's a charge from {product} for {amount} that I don't recognize.",
          'The invoice for {month} lists more users than we actually have in the workspace.',
        ],
        details: [
          'The invoice number is {invoiceId}.',
          'We removed a couple of users last month, so I expected the total to drop.',
          'Our finance team flagged it during month-end close.',
          'I checked the member list and there are only {seats} active people.',
        ],
        followups: [
          'Please send the corrected invoice to {email}.',
          "It's the invoice dated {month} 1st, {invoiceId}.",
          'So are the extra seats prorated or not? I just want to understand the math.',
        ],
      },
      {
        openers: [
          "Can you add our VAT number to the invoices? Our accountant won't accept them without it.",
          'I need the company address on our invoices changed to our new office.',
          'Is it possible to put a PO number on our invoices?',
          'Where do I download past invoices? I need the last {n} months for an audit.',
          'Our legal entity name changed and the invoices still show the old one.',
        ],
        details: [
          'Ideally the change would apply to past invoices too.',
          'The billing page only lets me see the latest invoice.',
          'Procurement rejects anything without a PO reference.',
        ],
        followups: [
          'Can you reissue {invoiceId} with the new details?',
          "I'm the billing admin but the field is greyed out for me.",
          'Thanks - do I need to do this every year or is it saved?',
        ],
      },
      {
        openers: [
          "Our card payment keeps failing and now there's a banner saying the workspace will be downgraded.",
          'How do I update the credit card on file? The old one expired.',
          'Can we pay by bank transfer or wire instead of card?',
          'Payment declined, but the bank says everything is fine on their side.',
          'The payment page just spins when I try to [enter|save] a new card.',
        ],
        details: [
          "We don't want to lose access to our boards in the middle of a launch.",
          'I tried two different cards.',
          "The error says 'payment method could not be verified'.",
        ],
        followups: [
          'Tried again in {browser}, same thing.',
          'How long do we have before the workspace gets downgraded?',
          'Can you just send an invoice we can pay manually?',
        ],
      },
      {
        openers: [
          'What happens to billing if we upgrade from {paidPlan} to Enterprise mid-cycle?',
          'How is pricing calculated for guests? Do viewers count as paid seats?',
          'We want to switch from monthly to annual billing - do we get the discount right away?',
          'We added {seats} people and got charged immediately, is that normal?',
          'Can we be billed in EUR instead of USD?',
          "We're tax exempt, how do I submit the certificate so you stop charging sales tax?",
        ],
        details: [
          'Finance wants a clear number before I approve anything.',
          'The pricing page and the billing page show different amounts.',
          "We're a nonprofit if that matters.",
        ],
        followups: [
          'So the next invoice would be {amount}? Just confirming.',
          'And if we remove those users again next month?',
          'Ok, where do I send the certificate?',
        ],
      },
    ],
    agent: [
      "Thanks for flagging this. I'm checking the billing history on your workspace now - which invoice are you referring to?",
      'Invoices and payment settings are under Settings > Billing. Are you the billing admin on the workspace?',
      "Happy to help with billing. Could you confirm you're the owner or billing admin of the workspace? I can only discuss billing details with them.",
      "Thanks! I've pulled up your subscription. Could you share the invoice number or the date of the charge?",
    ],
  },
  {
    label: 'refunds',
    count: 110,
    plans: { free: 3, team: 5, enterprise: 1 },
    short: [
      'refund pls, charged by mistake',
      'how do I cancel',
      'cancel my subscription',
      "where's my refund?",
      'I want my money back',
      'please cancel at end of the billing period',
    ],
    intents: [
      {
        openers: [
          "Our annual plan auto-renewed {when} and we didn't mean to renew. Can we get a refund?",
          'I forgot to cancel the trial and got charged {amount}. We never used it, please refund.',
          'We upgraded to {paidPlan} by mistake - can you reverse the charge and put us back on the old plan?',
          'A teammate bought extra seats without asking. Can we get that charge refunded?',
        ],
        details: [
          'The invoice is {invoiceId}.',
          'Nobody has logged in since the renewal, you can check.',
          'We only noticed when the invoice email came in.',
        ],
        followups: [
          'A full refund please, not a credit.',
          'How long does it take to show up on the card?',
          'Ok, and the plan will go back to {plan} right away?',
        ],
      },
      {
        openers: [
          "How do I cancel our subscription? I can't find the button anywhere in settings.",
          'Please cancel our account at the end of the current billing period.',
          "We're moving to {otherTool} and want to cancel. Will we lose our data right away?",
          "I'm trying to downgrade to Free but it says I have to remove members first.",
          'We want to cancel but keep read-only access to our old projects, is that possible?',
        ],
        details: [
          "We're the only two people left using it.",
          'Budget got cut, nothing personal.',
          "I'm the owner of the workspace so I should have permission.",
        ],
        followups: [
          "Can you confirm in writing that we won't be charged again?",
          'Do we need to export everything first, or is there a grace period?',
          'The cancel button is greyed out for me.',
        ],
      },
      {
        openers: [
          'We removed {seats} seats halfway through the year. Are we owed a prorated refund?',
          "Can we get a credit for the outage last week? Our team couldn't work for hours.",
          'We downgraded from Enterprise to {paidPlan} - do we get the difference back for the rest of the term?',
        ],
        details: [
          'Our contract says unused seats are refundable.',
          "I'd rather have the money back than account credit.",
        ],
        followups: [
          "Credit is fine if a refund isn't possible.",
          'How is the prorated amount calculated?',
        ],
      },
      {
        openers: [
          "You told me a refund was processed {when} but it's still not on my card.",
          "The refund shows as 'pending' on the billing page and hasn't moved in weeks.",
          'I was promised a refund for {invoiceId} and never got a confirmation.',
        ],
        details: [
          'The cancellation confirmation email never arrived either.',
          "My bank says they haven't seen anything incoming.",
        ],
        followups: [
          'Can you send me the refund reference number so I can give it to my bank?',
          "It's been more than 10 business days now.",
        ],
      },
    ],
    agent: [
      "I'm sorry for the hassle. I can see your subscription - let me check what's possible under our refund and cancellation policy.",
      'Only the workspace owner can cancel the plan or request a refund. Are you the owner of the workspace?',
      'Refunds go back to the original payment method and usually take 5-10 business days. Which invoice or charge date is this about?',
      "Thanks for reaching out. Could you confirm the workspace name and whether you'd like a refund, account credit or a cancellation?",
    ],
  },
  {
    label: 'login',
    count: 230,
    plans: { free: 3, team: 4, enterprise: 3 },
    short: [
      'cant log in',
      'password reset email never arrives',
      'locked out of my account',
      '2FA code not working',
      'SSO broken for us??',
      'login keeps looping',
      'How do I reset my password?',
      'lost my phone with the authenticator',
    ],
    intents: [
      {
        openers: [
          'I requested a password reset {n} times and never got the email.',
          "The reset link says it's expired as soon as I click it.",
          "Can't log in - it says my password is wrong but I just changed it.",
          "The 'forgot password' page says there's no account with my email, but I've used {product} for years.",
        ],
        details: [
          'Checked spam, nothing there.',
          "I'm using {browser} on a work laptop.",
          'My email is {email} if that helps.',
          'It worked fine until {when}.',
        ],
        followups: [
          'Still nothing in my inbox after 30 minutes.',
          'Same thing with the new link.',
          'Could you just reset it from your side?',
        ],
      },
      {
        openers: [
          "I got a new phone and lost my authenticator codes, now I'm locked out.",
          'The two-factor code from the authenticator app is always rejected as invalid.',
          "My recovery codes don't work. I saved them when I set up 2FA.",
          "We made 2FA mandatory and now half the team can't get past the code screen.",
        ],
        details: [
          "The clock on my phone is set automatically so it's not a time issue.",
          "I'm the only admin, so nobody else can reset it for me.",
          'It asks for the code, then asks again, then says too many attempts.',
        ],
        followups: [
          'What do you need from me to verify I own the account?',
          'I can verify from {email}.',
          'Is there a way to get a backup code sent by email?',
        ],
      },
      {
        openers: [
          "Since we turned on SAML SSO, some users get 'account not linked' when they sign in.",
          'SSO login loops back to the sign-in page over and over.',
          'Our certificate in {idp} was rotated {when} and now nobody can sign in via SSO.',
          "The 'Sign in with work account' button just spins forever.",
          "New hires can't log in with SSO even though they're assigned the app in {idp}.",
        ],
        details: [
          'Password login still works for the workspace owner.',
          "We're on Enterprise, so SSO is required for everyone.",
          'I updated the metadata URL but nothing changed.',
          "The error page shows 'invalid SAML response'.",
        ],
        followups: [
          'We uploaded the new certificate, still failing.',
          'Can you temporarily turn off enforced SSO so people can work?',
          'It fails in every browser, not just {browser}.',
        ],
      },
      {
        openers: [
          'My account got locked after too many attempts - how long until it unlocks?',
          "It keeps saying 'session expired' and logging me out every few minutes.",
          "I get logged out every time I close the browser even with 'remember me' checked.",
          "The magic sign-in link takes 20 minutes to arrive and by then it's expired.",
          'I used to log in with email and password and now it only offers a sign-in code.',
        ],
        details: [
          "It happens on the web app in {browser}, haven't tried the mobile app.",
          "Clearing cookies didn't help.",
          'A colleague has the same problem on the same network.',
        ],
        followups: [
          'We do use a VPN, could that be it?',
          'Still getting logged out after an hour.',
          "I can't wait 24 hours, I have a client call.",
        ],
      },
    ],
    agent: [
      "Sorry you're locked out! For security I'll need to verify account ownership first. Could you reply from the email address on the account?",
      'Sign-in problems are often caused by an old session or a blocked email. Could you try a private window and tell me the exact error you see?',
      'Could you share the exact error message and the time you tried to sign in, so I can match it to our logs?',
      "I can see several failed sign-in attempts on the account. Let me check what's going on.",
    ],
  },
  {
    label: 'user-management',
    count: 150,
    plans: { free: 2, team: 5, enterprise: 3 },
    short: [
      'how do I add a user',
      'remove a member from workspace?',
      'make someone else an admin',
      'transfer ownership of workspace',
      'change my account email',
      'guest can see too much',
    ],
    intents: [
      {
        openers: [
          'How do I invite people from outside our company as guests?',
          'An invite I sent {when} never reached the new hire.',
          'I removed a user but they still show up in the member list and count as a seat.',
          'Someone left the company - how do I move their projects to me before deleting their account?',
          'Can I bulk invite {seats} people from a list instead of one by one?',
        ],
        details: [
          'Their email is {email}.',
          "I'm an admin, not the owner, if that matters.",
          'They should only see the {project} project.',
        ],
        followups: [
          'Resent it, still nothing on their side.',
          'Do their tasks stay assigned to them after removal?',
          "Will that person's comments be deleted too?",
        ],
      },
      {
        openers: [
          'How can I give someone admin rights without making them the workspace owner?',
          "A guest can see projects they shouldn't have access to.",
          'Members can delete boards - can I restrict that to admins only?',
          "I'm an admin but I can't change the settings for {feature}.",
          "What's the difference between a member and a viewer role exactly?",
        ],
        details: [
          "The permissions page doesn't show that option for me.",
          'We have client guests in the workspace so this matters.',
          'Someone deleted the {project} board by accident {when}.',
        ],
        followups: [
          "So only the owner can do that? That's a problem for us.",
          'Can permissions be set per project instead of workspace-wide?',
          'Ok, I changed the role but they can still edit.',
        ],
      },
      {
        openers: [
          'The workspace owner left and we need ownership transferred to me.',
          'How do I make another person the billing owner of the workspace?',
          "Our old admin's account is deactivated and nobody has owner rights now.",
        ],
        details: [
          'Their account email was {email}, but that mailbox is gone.',
          "I'm the head of the team and can prove it if needed.",
        ],
        followups: [
          'What proof do you need? I can send a letter from our CEO.',
          "Can this be done today? We can't change any settings meanwhile.",
        ],
      },
      {
        openers: [
          'I have two accounts with different emails - can you merge them?',
          'How do I change the email address on my account? We switched domains.',
          "Changing my display name doesn't stick, it reverts after a refresh.",
          'Can I create teams inside a workspace and give each team access to specific projects?',
          "User groups synced from {idp} don't match the roles in {product}.",
        ],
        details: [
          'The old address was {email}.',
          'One account has all my tasks, the other has my profile.',
          'We have about {seats} people split into {n} departments.',
        ],
        followups: [
          'The new address is on the same domain, just renamed.',
          'Ok, and my task assignments will carry over?',
        ],
      },
    ],
    agent: [
      'You can manage members and roles under Admin > Members. What role do you currently have in the workspace?',
      'Changes to members and roles need to come from an admin or the owner. Could you confirm your role?',
      'Let me take a look at the member list for your workspace. Which user or email address is this about?',
      'Thanks! Could you tell me the workspace name and which account or role needs changing?',
    ],
  },
  {
    label: 'import-export',
    count: 100,
    plans: { free: 3, team: 5, enterprise: 2 },
    short: [
      'how to export to csv?',
      'import from spreadsheet',
      'export stuck on processing',
      'can I get a full backup of our workspace',
      'import failed',
    ],
    intents: [
      {
        openers: [
          "I'm trying to import a CSV of {bigN} tasks and it fails at row {row} with 'invalid date'.",
          'Importing from {otherTool} brought over the tasks but not the attachments or comments.',
          'Is there a way to import our spreadsheet with the custom fields mapped?',
          'The importer turned all our due dates into the wrong timezone.',
          'The {format} import created every task twice.',
        ],
        details: [
          'Dates are in DD/MM/YYYY format.',
          'The file is about {n} MB.',
          'The column with invoice numbers got dropped completely.',
          'We need this done before our {otherTool} subscription runs out.',
        ],
        followups: [
          'Changed the date format, now it fails at row {row} instead.',
          'Can I send you the file to check?',
          'Is there an undo for the import? Now we have duplicates.',
        ],
      },
      {
        openers: [
          'How do I export a whole project including comments to {format}?',
          "When I export the board to CSV, our custom 'Invoice #' column comes out empty.",
          'The PDF export of the timeline cuts off after a few weeks.',
          "My export has been 'processing' for {hours} hours.",
          'We need a full export of the workspace before our contract renewal.',
          'Exported {format} is missing all the subtasks.',
        ],
        details: [
          "It's for a client report so it needs to look decent.",
          'We have {bigN} tasks across {n} projects.',
          'The download link in the email says it has expired.',
        ],
        followups: [
          'Tried again with a smaller project, same issue.',
          'Is there an API alternative for this? Our developer could script it.',
          'Excel would be fine too if CSV is the problem.',
        ],
      },
      {
        openers: [
          'Can I bulk download all attachments from a project?',
          'Is there a way to schedule a weekly export of our data?',
          'How do I export time tracking entries per person to Excel for invoicing clients?',
        ],
        details: [
          "Clicking each file one by one isn't realistic.",
          'Our accountant needs it monthly.',
        ],
        followups: [
          'A zip file would be perfect.',
          'Could the export include the hours per task too?',
        ],
      },
    ],
    agent: [
      'Could you tell me the file format and roughly how many rows or tasks are involved?',
      'Imports and exports run in the background and can take a while for big projects. Which project is this about?',
      "Sorry the data didn't come through as expected. Could you send a small sample file (without personal data) so our team can check it?",
    ],
  },
  {
    label: 'integrations',
    count: 130,
    plans: { free: 2, team: 5, enterprise: 3 },
    short: [
      '{chatApp} integration not posting anymore',
      'calendar sync broken',
      '{gitApp} commits not linking',
      'how do I connect {anyApp}?',
      'reconnect integration after admin left',
    ],
    intents: [
      {
        openers: [
          'The {chatApp} integration stopped posting updates to our channel {when}.',
          "When I connect {chatApp} it says 'API token invalid' even though I just authorized it.",
          'Can the {chatApp} notifications go to different channels per project?',
          'Creating tasks from {chatApp} messages puts them in the wrong project.',
        ],
        details: [
          "We didn't change anything on the {chatApp} side.",
          "Reconnecting didn't help.",
          "It's the #{project} channel, if that matters.",
        ],
        followups: [
          'Disconnected and reconnected, same API error.',
          'Only some projects are affected.',
          'Who needs to authorize it, the workspace admin or the channel owner?',
        ],
      },
      {
        openers: [
          "{gitApp} commits aren't linking to tasks anymore, even though we put the task ID in the message.",
          "The {gitApp} integration says 'permission denied' for our private repos.",
          'Pull requests from {gitApp} show up on the wrong tasks.',
        ],
        details: [
          'It worked fine until {when}.',
          'We use the format ORB-123 in commit messages.',
          'Our developers rely on this for release notes.',
        ],
        followups: [
          'The app has access to all repos in the org.',
          'Is there a log somewhere of what the integration received?',
        ],
      },
      {
        openers: [
          "Due dates don't show up in {calApp} anymore.",
          'The calendar sync created duplicate events for every task.',
          'Calendar events are one hour off since the daylight saving change.',
          'Attaching files from {storageApp} gives an error about expired authorization.',
          'Our {autoApp} automation that creates tasks from form submissions stopped working.',
          'Is there an integration with {helpdeskApp}? We want tickets to turn into tasks.',
        ],
        details: [
          'We have about {bigN} tasks with due dates.',
          'Every person on the team has the same issue.',
          "The integration page says 'connected' with a green check.",
        ],
        followups: [
          'Removed the calendar and re-added it, duplicates came back.',
          'The {autoApp} history shows a {errCode} from your side.',
          "Ok, so we'd need to use a webhook for that instead?",
        ],
      },
      {
        openers: [
          "The person who set up the {anyApp} integration left, and now it's broken. How do we reconnect it under another account?",
          'Which permissions does the {anyApp} integration actually need? Our IT wants to review it.',
        ],
        details: ['Their account has been deactivated.', 'IT is strict about third-party access.'],
        followups: [
          'Will reconnecting lose the existing links between tasks and items?',
          'Is there a document listing the scopes?',
        ],
      },
    ],
    agent: [
      'Integrations are tied to the account of the person who connected them. If that user was deactivated, an admin needs to reconnect it under Settings > Integrations.',
      'Could you tell me which integration and project are affected, and roughly when it last worked?',
      'We had a short issue with some integrations {when}. Could you try disconnecting and reconnecting it under Settings > Integrations?',
    ],
  },
];
