import type { Category } from './types.js';

/** Mobile, performance, notifications, API, feature requests and security/privacy. */
export const CATEGORIES_B: readonly Category[] = [
  {
    label: 'mobile',
    count: 120,
    plans: { free: 4, team: 4, enterprise: 2 },
    short: [
      'app crashes on open',
      'android app wont sync',
      "can't log in on the phone app",
      'push notifications stopped on my phone',
      'iPad app blank screen',
      'mobile app super slow',
    ],
    intents: [
      {
        openers: [
          'The {device} app crashes as soon as I open a project.',
          'The app on my {device} closes by itself when I try to add a comment.',
          'After updating to {appVersion} the app shows a blank white screen.',
          'The home screen widget on my {device} is just empty.',
        ],
        details: [
          "I'm on app version {appVersion}.",
          "I've reinstalled it twice already.",
          'The web app works fine on my laptop.',
          'Phone is on the latest OS update.',
        ],
        followups: [
          'Reinstalled again, still crashes.',
          'Other projects open fine, just {project} crashes.',
          'How do I send you the crash log?',
        ],
      },
      {
        openers: [
          "I can't log in on the {device} app - it just goes back to the login screen. The web version works fine.",
          'The mobile app keeps asking me to sign in again every time I open it.',
          'SSO login in the mobile app opens a browser and never returns to the app.',
        ],
        details: [
          'Same password works on the website.',
          'Started after the latest app update.',
          'We use {idp} for sign-in.',
        ],
        followups: ['Cleared the app data, same loop.', 'Yes, I allowed the app to open links.'],
      },
      {
        openers: [
          'Push notifications on my {device} stopped after the latest app update.',
          "Changes I make offline in the app never sync when I'm back online.",
          "Photos won't upload from the phone, the attachment is stuck at 0%.",
          'The app is really slow on my {device}, it takes 10 seconds to open a task.',
          'Dark mode in the tablet app makes some text unreadable.',
          'The mobile app shows tasks from a different workspace than the one I selected.',
        ],
        details: [
          'Notifications are enabled in the phone settings.',
          'I lost an afternoon of checklist updates because of this.',
          'Wi-fi and mobile data both, no difference.',
          'On the desktop everything is fast.',
        ],
        followups: [
          'Battery saver is off.',
          'Version {appVersion}, just checked.',
          'My colleague with an {device} has the same problem.',
        ],
      },
    ],
    agent: [
      'Sorry about that! Which app version and phone model are you using? You can find the version under Profile > About.',
      "Could you try logging out of the app, force-closing it and signing in again? If that doesn't help, please send the diagnostics from Profile > Help.",
      'Thanks for the report. Does the same thing happen on the web app, or only on your phone?',
    ],
  },
  {
    label: 'performance',
    count: 105,
    plans: { free: 3, team: 4, enterprise: 3 },
    short: [
      'is {product} down?',
      'everything is so slow today',
      'getting {errCode} errors',
      'site not loading',
      'outage?',
    ],
    intents: [
      {
        openers: [
          "Is {product} down? We're getting {errCode} errors on every page.",
          'The whole web app is super slow today for our team in {region}.',
          'The login page times out - is there an outage?',
          'Status page says all green but nothing loads for us.',
          "We keep seeing 'reconnecting...' and changes don't save.",
          'API requests from our scripts are timing out {since}.',
        ],
        details: [
          'Tried {browser} and a different network, same thing.',
          "It's affecting the whole team of {seats} people.",
          'We have a client presentation in an hour.',
        ],
        followups: [
          'Still down for us, 20 minutes later.',
          "It's back now but very slow.",
          'Can you post an incident report afterwards? Management is asking.',
        ],
      },
      {
        openers: [
          'Boards with more than {bigN} cards take forever to load.',
          'Search takes 30+ seconds to return anything.',
          'Opening the {view} freezes the browser tab.',
          'Dashboards take minutes to refresh since we added more projects.',
          'Typing in task descriptions lags by a second or two.',
        ],
        details: [
          "My laptop is new, so it's not the hardware.",
          "It's only our big {project} project, the small ones are fine.",
          'Chrome shows the page as unresponsive.',
        ],
        followups: [
          "Archiving old tasks helped a bit but it's still slow.",
          "Here's the timing from dev tools: the main request takes 14 seconds.",
        ],
      },
    ],
    agent: [
      "We had a partial outage affecting some workspaces {when}; it's resolved now. Are you still seeing problems?",
      'Thanks for reporting. Could you share your workspace name and a rough time when it was slow, so we can check our logs?',
      'Sorry about the slowness. Is this happening across all projects, or only in specific boards or views?',
    ],
  },
  {
    label: 'notifications',
    count: 90,
    plans: { free: 3, team: 5, enterprise: 2 },
    short: [
      'too many emails',
      'not getting notifications anymore',
      'how to turn off email notifications',
      "mentions don't notify anyone",
      'digest email at 3am??',
    ],
    intents: [
      {
        openers: [
          "I'm getting way too many emails - every single comment sends one.",
          'How do I turn off notifications for one specific project?',
          'Our notification emails are going to spam for half the team.',
          'The daily digest email arrives at 3am instead of the morning.',
          "Can I get notified only when I'm mentioned, not for every change?",
        ],
        details: [
          'I get maybe {bigN} emails a week from {product}.',
          'I already changed the notification settings but nothing happened.',
          'Our timezone is set correctly in the profile.',
        ],
        followups: [
          'Those settings are what I changed, still getting everything.',
          'Is there a workspace-wide default an admin can set?',
        ],
      },
      {
        openers: [
          "I stopped getting email notifications when I'm assigned a task.",
          "@mentions don't trigger any notification at all.",
          'Due date reminders fire after the task is already due.',
          'Nobody on the team got the notification when the status changed.',
          'The in-app notification bell shows 99+ but the list is empty.',
        ],
        details: [
          'This started {when}.',
          "It's not in spam, I checked.",
          'Desktop notifications are allowed in {browser}.',
        ],
        followups: [
          'Still nothing for the tasks assigned today.',
          'Could it be because we use {chatApp} notifications too?',
        ],
      },
    ],
    agent: [
      'You can adjust notifications under Profile > Notifications, including per project. Which notifications would you expect to get?',
      'Thanks! Could you tell me which email address should be receiving them, and the last notification you received?',
      'Could you check the timezone and email settings in your profile? Notification timing and delivery depend on them.',
    ],
  },
  {
    label: 'api-webhooks',
    count: 75,
    plans: { free: 1, team: 4, enterprise: 5 },
    short: [
      'webhook not firing',
      'API rate limit?',
      'where do I create an API token',
      '401 from the API',
    ],
    intents: [
      {
        openers: [
          'Our webhook endpoint stopped receiving events for task updates.',
          "Webhook signatures don't validate - which secret is used for the HMAC?",
          'Webhooks are delivered twice for every comment.',
          'Is there a way to replay webhook events we missed during our downtime?',
        ],
        details: [
          'The endpoint returns 200 within a second, we checked.',
          "We're using the payload for a sync job into our data warehouse.",
          'Nothing in the webhook delivery log either.',
        ],
        followups: [
          'We rotated the secret, still mismatching.',
          'Can you check if deliveries were disabled after failures?',
        ],
      },
      {
        openers: [
          "Getting HTTP 429 from the REST API even though we're way under the documented limit.",
          'What scopes does an API token need to create tasks in a private project?',
          'The API returns 401 with a token that was working {when}.',
          'Pagination on the /tasks endpoint skips items between pages.',
          'Custom field values come back as IDs instead of names in the API.',
          'Is the API available on the {plan} plan, or only Enterprise?',
        ],
        details: [
          'We make maybe 20 requests a minute.',
          'The token belongs to a service account with admin role.',
          'Using the v2 endpoints with a bearer token.',
        ],
        followups: [
          "Here's the request id from the response header: req_8f31c2.",
          'Is there an endpoint to look up field names by ID?',
          "Docs say 100 per minute, we're at 20.",
        ],
      },
    ],
    agent: [
      'Thanks for the details. Could you share a request ID or webhook delivery ID from one of the failing calls?',
      'Which endpoints are you using, and was the token created by a service account or a personal account?',
      'Let me check with our API team. Is this on the v2 API?',
    ],
  },
  {
    label: 'feature-request',
    count: 140,
    plans: { free: 5, team: 4, enterprise: 2 },
    short: [
      'please add dark mode',
      'feature request: task dependencies',
      'would love a linux app',
      'any plans for gantt baselines?',
      'suggestion: recurring tasks every 2nd tuesday',
    ],
    intents: [
      {
        openers: [
          'Would love to have dark mode on the web app.',
          'Please add dependencies between tasks in the {view}.',
          'Can you add a way to export {feature} to PDF? Would save us a lot of copy-paste.',
          "It'd be great if recurring tasks could follow custom schedules like every 2nd Tuesday.",
          'Would be nice to have a native desktop app for Linux.',
          'Any plans to let us color-code {feature}?',
          'Is there a roadmap? We really need time tracking reports per client.',
        ],
        details: [
          'Right now we work around it with {otherTool}.',
          'Half of our team asked me about this.',
          'Happy to be a beta tester.',
        ],
        followups: [
          'Is there somewhere to vote for this?',
          'Any rough timeline? Even a quarter would help.',
          'Thanks, please keep me posted.',
        ],
      },
      {
        openers: [
          "It'd be great if the API supported bulk updates instead of one task per call.",
          'Any plans for a {chatApp} integration that supports threads?',
          "We'd pay more for a plan with audit logs and longer history.",
          'Suggestion: let guests comment without needing a paid seat.',
          'Can you make the mobile app support full offline editing?',
          'Please let admins set default notification settings for the whole workspace.',
          'A way to import directly from {otherTool} would help teams switching over.',
        ],
        details: [
          'Not a bug, just an idea.',
          'Our competitor evaluation came down to this one feature.',
          "We'd upgrade to Enterprise if this existed.",
        ],
        followups: [
          'Understood, thanks for passing it on.',
          'Could you let me know when it ships?',
        ],
      },
    ],
    agent: [
      "Thanks for the suggestion! I've added your vote to the feature request - our product team reviews these every month.",
      "That's not available today, but I've shared your use case with the product team. Could you tell me a bit more about how you'd use it?",
      "Great idea. There's a workaround in the meantime: you can use automations to get close to this. Want me to send the steps?",
    ],
  },
  {
    label: 'security-privacy',
    count: 60,
    plans: { free: 1, team: 3, enterprise: 5 },
    short: [
      'delete all my data',
      'do you have a DPA?',
      'suspicious login on my account',
      'where is our data stored?',
    ],
    intents: [
      {
        openers: [
          'We need all of our data deleted permanently. How do we request that?',
          'Please delete my personal account and everything associated with it.',
          'After we cancel, how long do you keep our data, and can we get a deletion confirmation?',
          'A former employee wants their personal data removed from our workspace - what are our options?',
        ],
        details: [
          'This is a formal request under data protection law.',
          'We need written confirmation for our records.',
          'We already exported what we needed.',
        ],
        followups: ['Does that include backups?', "Please confirm when it's done."],
      },
      {
        openers: [
          "I got an email about a login from a new device in another country. That wasn't me.",
          'A shared public link to one of our boards is still accessible to a former contractor. How do we revoke all public links?',
          'Can we see an audit log of who viewed or exported data in the last month?',
          'Someone on our team thinks their account was compromised. What should we do?',
        ],
        details: [
          'I changed my password right away.',
          'The link was shared with an outside agency months ago.',
          'Our security team needs this for an internal investigation.',
        ],
        followups: [
          'Can you tell us which IP the login came from?',
          'Can we force a logout of all sessions?',
        ],
      },
      {
        openers: [
          'Where can I find your data processing agreement and list of subprocessors?',
          'Do you encrypt attachments at rest?',
          'We need to complete a security questionnaire - do you have a SOC 2 report?',
          'Where is our data hosted? We need EU data residency.',
        ],
        details: [
          'Our legal team is reviewing vendors this quarter.',
          'This is blocking the Enterprise purchase.',
        ],
        followups: [
          'Do we need to sign an NDA to get the report?',
          'Is data residency available on {paidPlan} or only Enterprise?',
        ],
      },
    ],
    agent: [
      "Thanks for contacting us about this. For security, I'll need to confirm the request comes from the account owner or a workspace admin.",
      'Our security and privacy documentation is on our Trust page. Could you tell me a bit more about what your team needs?',
      "I've forwarded this to our security and privacy team, who will follow up within two business days.",
    ],
  },
];
